-- A run's verdict is its state once it has ended; it is derived, not stored twice.
alter table run drop column verdict;
