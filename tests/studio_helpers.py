"""What the studio's composer and translation-desk tests share."""

from letterworld.store import Store

WHO = "Jani Mendoza"  # the demo letter's recipient


def latest(db):
    with Store(db) as s:
        return s.latest_letter(WHO)


def post(client, url, csrf, **data):
    """A form POST as the page sends it (CSRF token, recipient), redirects not followed."""
    return client.post(url, data={"csrf": csrf, "recipient": WHO, **data}, follow_redirects=False)
