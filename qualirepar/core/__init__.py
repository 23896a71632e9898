"""The small core every feature stands on: time, money, forms, refusals, state machines, the queue
and the French CSV conventions. Nothing here imports a feature."""
