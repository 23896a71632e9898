"""What every browser walk does the same way: log in, tap (tablet) or click (desktop), open the
collapsed menu, sign on a pad, let the worker take what is queued."""
from .. import factories


def login(page, live_server, email):
    page.goto(live_server + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server + "/")


def tap_or_click(page, target):
    """What a person does with a finger on the tablet, with the mouse on the desktop."""
    target.tap() if page.device == "tablet" else target.click()


def press(page, target, navigates: bool = True):
    """Tap or click `target`; with `navigates`, wait for the page it opens."""
    if not navigates:
        tap_or_click(page, target)
        return
    with page.expect_navigation():
        tap_or_click(page, target)


def open_menu_if_collapsed(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        tap_or_click(page, toggler)
        page.locator("#main-nav.show").wait_for()


def draw(page, pad):
    """A signature: pointer down, a zigzag of moves, pointer up."""
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 25):
        page.mouse.move(box["x"] + 30 + i * 20, box["y"] + box["height"] * (0.7 - 0.4 * ((i % 6) / 6)), steps=2)
    page.mouse.up()


def run_worker(app):
    """The worker, as `flask worker --burst` runs it (a forked work horse per job, outside any
    request): takes what is queued, then stops."""
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
