"""What every browser walk does the same way: log in, open the collapsed menu, sign on a pad,
let the worker take what is queued."""
from .. import factories


def login(page, live_server, email):
    page.goto(live_server + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server + "/")


def open_menu_if_collapsed(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.tap() if page.device == "tablet" else toggler.click()
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
