"""What the test packages share: the seed data they lean on (seed.py), test users and signing in
(accounts.py), pointing the app at a test database (databases.py), and the tracker as a real
process, `tracker` commands and `tracker serve` (servers.py)."""
