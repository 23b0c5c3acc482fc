"""Background work on Dramatiq: the broker (tasks.broker), the actors of every module here
(found by tasks.discovery; today tasks.email), mail backends (tasks.mailers), and the
worker process entry module (tasks.worker)."""
