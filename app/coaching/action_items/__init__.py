"""Action items (SPEC §6): tasks of a mentorship, assigned to one of its participants."""
