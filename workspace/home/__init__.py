"""The pages where a person starts: their home, a cycle's front page (where facilitators move it from
phase to phase) and a working group's page. Above the domains, since each gathers what several of them
hold for the person."""
