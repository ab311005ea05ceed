"""Regional news written for the browser tests and the screenshots: each has claims the tracker
should suggest (a pledge of money, a promise to recruit, an allegation) and sentences it should
not (opinion, background, weather)."""

from __future__ import annotations

LIBRARY_TITLE = "Council pledges £2.4m to reopen Ashby Road library"
LIBRARY = """\
Council pledges £2.4m to reopen Ashby Road library

Marsham District Council has pledged £2.4m to reopen the Ashby Road library in Lowfield, \
which closed after storm damage in January.

The council's leader, Councillor Priya Nair, said the authority will recruit 12 library \
assistants before the building reopens next spring.

Opposition councillors alleged that the council failed to insure the building properly, \
leaving taxpayers to pick up the bill.

A spokesperson for the Lowfield Residents' Association said the library was "the heart of the \
town" and that its closure had hit older people hardest.

On social media, residents shared the slogan "Our library, our future 📚" with photographs of \
the boarded-up doors.

Work on the roof is expected to begin in the autumn, weather permitting.

In my view the new reading room will be the finest in the county, one local author wrote in a \
letter to the paper.

The council will publish the full repair schedule on its website next month.
"""
# What the tracker suggests in it, and what it must not.
LIBRARY_PLEDGE = "Marsham District Council has pledged £2.4m to reopen the Ashby Road library"
LIBRARY_RECRUITMENT = "the authority will recruit 12 library assistants"
LIBRARY_ALLEGATION = "Opposition councillors alleged that the council failed to insure"
LIBRARY_SCHEDULE = "The council will publish the full repair schedule"
LIBRARY_NOT_SUGGESTED = ("In my view the new reading room", "Work on the roof", "heart of the")

FERRY_TITLE = "Ferry operator promises winter timetable"
FERRY = """\
Ferry operator promises winter timetable

Kestrel Ferries has promised to run 14 crossings a day to Holm Island through the winter, \
after a summer of cancellations.

The island's community council accused the operator of cancelling sailings at short notice \
without telling passengers.

Harbour master Tom Reid said the new pontoon looked "very smart".
"""

BUSES_TITLE = "County to cut rural bus fares"
BUSES = """\
County to cut rural bus fares

Westmoor County Council has committed £850,000 to cap single bus fares at £2 on rural routes \
from September.

The council said it would add 30 evening services on routes that now stop at six o'clock.

Bus users welcomed the news at a drop-in session in Eastleigh market hall on Saturday.
"""

CLINIC_TITLE = "Health board to open walk-in clinic"
CLINIC_HTML = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Health board to open walk-in clinic | Northvale Echo</title>
<script>window.tracking = true;</script></head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<article>
<h1>Health board to open walk-in clinic</h1>
<p>The Northvale Health Board has pledged to open a walk-in clinic in Ferrybridge by March, \
with 20 nurses on its staff.</p>
<p>Patients' groups accused the board of ignoring a petition signed by 3,000 people in 2023.</p>
<p>The clinic will stay open until 10pm on weekdays, the board's chief executive said.</p>
<p>It was a bright, windy afternoon when the design was shown at the town hall.</p>
</article>
<footer>© Northvale Echo. Most read: Town wins bloom award.</footer>
</body>
</html>
"""


def library(edition: str) -> tuple[str, str]:
    """The library article as one edition of the paper printed it: a title and a text of its own
    (a text is archived once), with the same claims."""
    headline, body = LIBRARY.split("\n\n", 1)
    title = f"{LIBRARY_TITLE} ({edition} edition)"
    return title, f"{headline}\n\nLowfield Gazette, {edition} edition\n\n{body}"
