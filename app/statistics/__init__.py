"""Anonymous numbers for coordinators: weekly counts, response times, dead letters."""
