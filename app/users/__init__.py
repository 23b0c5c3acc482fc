"""Users: the public shape of an account, shared by auth and me."""
