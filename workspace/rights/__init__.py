"""The person's rights over their data: download it, erase the account (contributions stay under a
pseudonym). Above every domain, since it reads and rewrites what each of them holds about a person."""
