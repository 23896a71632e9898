"""Backups that restore (issue 17): the database (SQLite's online backup, or pg_dump) and the file
store in one archive with a manifest, kept by a rotation, optionally copied to a second folder;
`flask backup restore` puts them back onto an empty instance and checks the counts."""
