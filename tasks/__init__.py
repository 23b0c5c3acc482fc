"""Background work on Dramatiq: broker set-up (tasks.broker) and actors (tasks.email)."""
