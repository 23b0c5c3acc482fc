"""Goals (SPEC §6): owned by the teacher of a mentorship, archived rather than deleted."""
