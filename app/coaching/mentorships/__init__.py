"""Mentorships (SPEC §6): a coach and a coachee ("teacher") working together, and their status."""
