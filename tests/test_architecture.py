"""The architecture rules of docs/architecture.md, checked on the source with `ast` (no app code is imported).

(a) Apps import each other only through `pracha.<app>.public` and only from a lower layer; anyone may
    import any module of `pracha.core`. Tests, migrations and conftest may reach past `public` (to
    factories, say) but never upwards.
(b) Views, API endpoints, forms and tasks never write: no .save(), .create(), .update(), ... calls.
(c) Migrations are named NNNN_words.py (never *_auto_*) and never import app code.
(d) Configuration enters through settings only: nothing else reads os.environ.

Every checker is a pure function of (source, path), so the self-tests at the end can prove each one
catches a violation in a small snippet; the scans also assert they visited enough files.
"""

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pracha"

LAYERS: dict[str, int] = {
    "core": 0,
    "audit": 1,
    "notifications": 2,
    "agencies": 2,
    "registries": 3,
    "accounts": 4,
    "catalogue": 5,
    "payments": 5,
    "documents": 5,
    "exchange": 5,
    "search": 5,
    "applications": 6,
    "complaints": 6,
    "participation": 6,
    "procurement": 6,
    "opendata": 7,
    "backoffice": 7,
    "insights": 7,
    "portal": 7,
}
# Packages and modules directly under pracha/ that belong to the project rather than to an app.
PROJECT_PACKAGES = {"settings"}
PROJECT_MODULES = {"settings", "urls", "api", "wsgi", "asgi"}

THIN_MODULES = {"views.py", "api.py", "forms.py", "tasks.py"}
THIN_PACKAGES = {"views", "api"}
WRITE_METHODS = {"save", "create", "update", "delete", "bulk_create", "get_or_create", "update_or_create"}

MIGRATION_NAME = re.compile(r"^\d{4}_[a-z0-9]+(?:_[a-z0-9]+)*\.py$")

ENVIRON_ATTRIBUTES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
ENVIRON_ALLOWED_FILES = {"manage.py", "pracha/wsgi.py", "pracha/asgi.py"}
ENVIRON_ALLOWED_DIRS = ("pracha/settings/",)


@dataclass(frozen=True, order=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def report(violations: Iterable[Violation]) -> str:
    return "\n" + "\n".join(str(v) for v in sorted(violations))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: str) -> str:
    """pracha/accounts/views.py -> pracha.accounts.views; pracha/accounts/__init__.py -> pracha.accounts."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(tree: ast.AST, *, path: str) -> Iterator[tuple[int, str]]:
    """(line, dotted target) for every import, relative ones resolved. For `from m import n` the target is
    m.n: n may be a module (from pracha.audit import public) or a name inside m, and both count as m.n."""
    module = module_name(path)
    package = module.split(".") if path.endswith("__init__.py") else module.split(".")[:-1]
    nodes = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package[: len(package) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


# --- (a) imports between apps ------------------------------------------------------------------


def app_of(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == "pracha" and parts[1] not in PROJECT_PACKAGES:
        return parts[1]
    return None


def is_test_code(path: str) -> bool:
    parts = path.split("/")
    return "tests" in parts or parts[-1] == "conftest.py"


def may_skip_public(path: str) -> bool:
    return is_test_code(path) or "migrations" in path.split("/")


def import_violations(source: str, *, path: str) -> list[Violation]:
    app = app_of(path)
    if app is None:
        return []
    if app not in LAYERS:
        return [Violation(path, 1, f"app {app!r} is not in the layer table of tests/test_architecture.py")]
    violations: list[Violation] = []
    for line, target in imported_modules(ast.parse(source, path), path=path):
        parts = target.split(".")
        if parts[0] != "pracha":
            continue
        other = parts[1] if len(parts) > 1 else ""
        if other == app:
            continue
        if other in LAYERS:
            shown = ".".join(parts[:3])
            if LAYERS[other] >= LAYERS[app]:
                message = (
                    f"imports {shown}: {other} (layer {LAYERS[other]}) is not below {app} "
                    f"(layer {LAYERS[app]}); react to it through an event instead"
                )
            elif other != "core" and shown != f"pracha.{other}.public" and not may_skip_public(path):
                message = f"imports {shown}; use pracha.{other}.public instead"
            else:
                continue
        elif other in PROJECT_MODULES:
            if is_test_code(path):  # a test may build on the project's URLs, say
                continue
            message = f"imports pracha.{other}, a project-level module; apps never import those"
        else:
            message = f"imports {'.'.join(parts[:2])}, which is not an app in the layer table"
        violation = Violation(path, line, message)
        if violation not in violations:  # from m import a, b, c: one report per statement and module
            violations.append(violation)
    return violations


# --- (b) thin modules never write ------------------------------------------------------------


def is_thin(path: str) -> bool:
    parts = path.split("/")
    if app_of(path) is None or "tests" in parts or "migrations" in parts:
        return False
    inside_app = parts[2:]
    return (len(inside_app) == 1 and inside_app[0] in THIN_MODULES) or (
        len(inside_app) > 1 and inside_app[0] in THIN_PACKAGES
    )


class WriteCallFinder(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.scope: list[str] = []
        self.decorators: set[int] = set()
        self.violations: list[Violation] = []

    def _enter(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        # @router.delete("/tokens/{id}") declares an endpoint for HTTP DELETE; it writes nothing.
        self.decorators.update(id(d) for d in node.decorator_list if isinstance(d, ast.Call))
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _enter

    def visit_Call(self, node: ast.Call) -> None:
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITE_METHODS
            and id(node) not in self.decorators
        ):
            where = ".".join(self.scope) or "<module>"
            self.violations.append(
                Violation(
                    self.path,
                    node.lineno,
                    f"{where} calls .{node.func.attr}(); writes belong in a service (services.py)",
                )
            )
        self.generic_visit(node)


def write_violations(source: str, *, path: str) -> list[Violation]:
    finder = WriteCallFinder(path)
    finder.visit(ast.parse(source, path))
    return finder.violations


# --- (c) migrations --------------------------------------------------------------------------


def migration_violations(source: str, *, path: str) -> list[Violation]:
    name = path.rsplit("/", 1)[-1]
    violations = []
    if not MIGRATION_NAME.match(name):
        violations.append(Violation(path, 1, "a migration is named NNNN_lower_case_words.py"))
    if "_auto_" in name or "auto" in name.removesuffix(".py").split("_")[1:]:
        violations.append(Violation(path, 1, "an automatic migration name: name it after what it does"))
    for line, target in imported_modules(ast.parse(source, path), path=path):
        if target == "pracha" or target.startswith("pracha."):
            violations.append(Violation(path, line, f"imports {target}; migrations never import app code"))
    return violations


# --- (d) configuration only through settings -------------------------------------------------


def environ_allowed(path: str) -> bool:
    return path in ENVIRON_ALLOWED_FILES or path.startswith(ENVIRON_ALLOWED_DIRS)


def environ_violations(source: str, *, path: str) -> list[Violation]:
    tree = ast.parse(source, path)
    os_names = {"os"}
    violations = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_names.update(alias.asname for alias in node.names if alias.name == "os" and alias.asname)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and not node.level:
            for alias in node.names:
                if alias.name in ENVIRON_ATTRIBUTES or alias.name == "*":
                    violations.append(
                        Violation(
                            path, node.lineno, f"imports os.{alias.name}; read configuration from settings"
                        )
                    )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ENVIRON_ATTRIBUTES
            and isinstance(node.value, ast.Name)
            and node.value.id in os_names
        ):
            violations.append(
                Violation(path, node.lineno, f"uses os.{node.attr}; read configuration from settings")
            )
    return sorted(violations)


# --- the scans -------------------------------------------------------------------------------


def python_files(*roots: Path) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found.extend(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(found)


def app_directories() -> list[Path]:
    return sorted(path.parent for path in PACKAGE.glob("*/apps.py"))


def scan(files: Iterable[Path], checker) -> tuple[list[Violation], int]:
    violations: list[Violation] = []
    count = 0
    for file in files:
        count += 1
        violations.extend(checker(file.read_text(encoding="utf-8"), path=relative(file)))
    return violations, count


def package_violations(packages: Iterable[tuple[str, bool]]) -> list[Violation]:
    """For each (name, has apps.py) directly under pracha/: every app has a layer, every package is an app
    or project-level. Adding an app forces a decision about its place."""
    violations = []
    for name, is_app in packages:
        if is_app and name not in LAYERS:
            violations.append(
                Violation(f"pracha/{name}/apps.py", 1, f"app {name!r} is not in LAYERS: decide its layer")
            )
        elif not is_app and name not in PROJECT_PACKAGES:
            violations.append(
                Violation(f"pracha/{name}/__init__.py", 1, "neither an app (no apps.py) nor project-level")
            )
    return violations


def test_every_package_is_an_app_with_a_layer_or_project_level():
    packages = [
        (init.parent.name, (init.parent / "apps.py").exists()) for init in PACKAGE.glob("*/__init__.py")
    ]
    assert sum(is_app for _, is_app in packages) >= 6, packages
    violations = package_violations(packages)
    assert not violations, report(violations)


def test_apps_import_each_other_only_downwards_and_through_public():
    apps = app_directories()
    violations, count = scan(python_files(*apps), import_violations)
    assert {"core", "audit", "accounts", "agencies", "registries", "portal"} <= {a.name for a in apps}
    assert count >= 60, f"only {count} modules scanned"
    assert not violations, report(violations)


def test_views_api_forms_and_tasks_never_write():
    files = [file for file in python_files(*app_directories()) if is_thin(relative(file))]
    violations, count = scan(files, write_violations)
    assert count >= 3, f"only {count} views/api/forms/tasks modules scanned: {files}"
    assert not violations, report(violations)


def test_migrations_are_named_and_import_no_app_code():
    files = [file for file in sorted(PACKAGE.glob("*/migrations/*.py")) if file.name != "__init__.py"]
    violations, count = scan(files, migration_violations)
    assert count >= 5, f"only {count} migrations scanned"
    assert not violations, report(violations)


def test_only_settings_read_the_environment():
    files = [
        file
        # The platform's own code. The test harness under tests/ (which must set Django's async switch
        # for Playwright) and the benchmark scripts under bench/ set up processes, like manage.py does.
        for file in python_files(PACKAGE, ROOT / "manage.py")
        if not environ_allowed(relative(file))
    ]
    violations, count = scan(files, environ_violations)
    assert count >= 80, f"only {count} modules scanned"
    assert not violations, report(violations)


# --- self-tests: each checker catches a violation in a snippet -------------------------------

UPWARDS = "react to it through an event instead"


def test_self_import_checker():
    source = "\n".join(
        [
            "from pracha.core.thai_ids import validate_national_id",  # 1 core: any module, fine
            "from pracha.agencies.public import is_officer",  # 2 lower layer through public: fine
            "from pracha.agencies import public",  # 3 the same, spelled differently: fine
            "from pracha.agencies.models import Agency, Role",  # 4 past public (reported once)
            "import pracha.registries.selectors",  # 5 past public
            "from pracha import audit",  # 6 the package, not its public module
            "from pracha.applications.public import submit",  # 7 upwards (layer 6)
            "from pracha.accounts.models import User",  # 8 own app: fine
            "from . import selectors",  # 9 own app, relative: fine
            "from ..portal import views",  # 10 relative import upwards
            "from pracha.settings.base import DEBUG",  # 11 project settings
            "def late():",
            "    from pracha.catalogue.public import Service",  # 13 higher layer, inside a function
            "import django.db",  # 14 not ours: fine
            "from pracha.urls import urlpatterns",  # 15 the project's URLs
            "from pracha.utils import helper",  # 16 not an app at all
        ]
    )
    path = "pracha/accounts/views.py"
    assert import_violations(source, path=path) == [
        Violation(path, 4, "imports pracha.agencies.models; use pracha.agencies.public instead"),
        Violation(path, 5, "imports pracha.registries.selectors; use pracha.registries.public instead"),
        Violation(path, 6, "imports pracha.audit; use pracha.audit.public instead"),
        Violation(
            path,
            7,
            "imports pracha.applications.public: applications (layer 6) is not below accounts (layer 4); "
            + UPWARDS,
        ),
        Violation(
            path,
            10,
            f"imports pracha.portal.views: portal (layer 7) is not below accounts (layer 4); {UPWARDS}",
        ),
        Violation(path, 11, "imports pracha.settings, a project-level module; apps never import those"),
        Violation(
            path,
            13,
            "imports pracha.catalogue.public: catalogue (layer 5) is not below accounts (layer 4); "
            + UPWARDS,
        ),
        Violation(path, 15, "imports pracha.urls, a project-level module; apps never import those"),
        Violation(path, 16, "imports pracha.utils, which is not an app in the layer table"),
    ]


def test_self_import_checker_same_layer_and_core():
    # Same layer, different app: refused even through public. Core imports nothing else.
    assert import_violations("from pracha.payments.public import x", path="pracha/catalogue/services.py") == [
        Violation(
            "pracha/catalogue/services.py",
            1,
            f"imports pracha.payments.public: payments (layer 5) is not below catalogue (layer 5); {UPWARDS}",
        )
    ]
    assert import_violations("from pracha.audit.public import record", path="pracha/core/models.py") == [
        Violation(
            "pracha/core/models.py",
            1,
            f"imports pracha.audit.public: audit (layer 1) is not below core (layer 0); {UPWARDS}",
        )
    ]


def test_self_import_checker_exemptions():
    past_public = (
        "from pracha.agencies.tests.factories import AgencyFactory\nfrom pracha.agencies.models import Role\n"
    )
    for path in (
        "pracha/accounts/tests/test_views.py",
        "pracha/accounts/migrations/0003_x.py",
        "pracha/accounts/conftest.py",
    ):
        assert import_violations(past_public, path=path) == []
    # ... but even tests may not import upwards.
    assert import_violations(
        "from pracha.portal.tests import helpers", path="pracha/accounts/tests/test_x.py"
    ) == [
        Violation(
            "pracha/accounts/tests/test_x.py",
            1,
            f"imports pracha.portal.tests: portal (layer 7) is not below accounts (layer 4); {UPWARDS}",
        )
    ]
    # A test may build on the project's URLs; project-level modules themselves are not checked.
    assert (
        import_violations("from pracha.urls import urlpatterns", path="pracha/portal/tests/urls_x.py") == []
    )
    assert import_violations("from pracha.portal.views import home", path="pracha/urls.py") == []
    assert import_violations("from pracha.portal.views import home", path="pracha/settings/base.py") == []
    # An app missing from the layer table is refused outright.
    assert import_violations("import os", path="pracha/newapp/models.py") == [
        Violation(
            "pracha/newapp/models.py",
            1,
            "app 'newapp' is not in the layer table of tests/test_architecture.py",
        )
    ]


def test_self_relative_imports_are_resolved():
    tree = ast.parse("from . import a\nfrom .b import c\nfrom .. import d\nfrom ...x import y\n")
    assert list(imported_modules(tree, path="pracha/accounts/views.py")) == [
        (1, "pracha.accounts.a"),
        (2, "pracha.accounts.b.c"),
        (3, "pracha.d"),
        (4, "x.y"),
    ]
    assert list(imported_modules(ast.parse("from . import a"), path="pracha/accounts/__init__.py")) == [
        (1, "pracha.accounts.a")
    ]


def test_self_write_checker():
    source = "\n".join(
        [
            "def submit(request, form):",
            "    form.save()",  # 2
            "    Application.objects.create(x=1)",  # 3
            "    request.user.profile.update(x=1)",  # 4
            "    Thing.objects.filter(a=1).delete()",  # 5
            "    Thing.objects.bulk_create([])",  # 6
            "    Thing.objects.get_or_create(a=1)",  # 7
            "    Thing.objects.update_or_create(a=1)",  # 8
            "    services.application_submit(application=a)",  # fine: a service
            "    save(x)",  # fine: not an attribute call
            "    return form.saved",  # fine: not a call
            "class SignupForm:",
            "    def signup(self, request, user):",
            "        user.save(update_fields=['x'])",  # 14
            "@router.delete('/tokens/{id}')",  # fine: declares an HTTP DELETE endpoint
            "def revoke(request, id):",
            "    Token.objects.filter(id=id).delete()",  # 17
        ]
    )
    path = "pracha/applications/views.py"
    assert [(v.line, v.message) for v in write_violations(source, path=path)] == [
        (2, "submit calls .save(); writes belong in a service (services.py)"),
        (3, "submit calls .create(); writes belong in a service (services.py)"),
        (4, "submit calls .update(); writes belong in a service (services.py)"),
        (5, "submit calls .delete(); writes belong in a service (services.py)"),
        (6, "submit calls .bulk_create(); writes belong in a service (services.py)"),
        (7, "submit calls .get_or_create(); writes belong in a service (services.py)"),
        (8, "submit calls .update_or_create(); writes belong in a service (services.py)"),
        (14, "SignupForm.signup calls .save(); writes belong in a service (services.py)"),
        (17, "revoke calls .delete(); writes belong in a service (services.py)"),
    ]


def test_self_thin_modules_are_recognised():
    thin = [
        "pracha/accounts/views.py",
        "pracha/accounts/api.py",
        "pracha/accounts/forms.py",
        "pracha/accounts/tasks.py",
        "pracha/accounts/views/__init__.py",
        "pracha/accounts/views/officer.py",
        "pracha/accounts/api/v1/endpoints.py",
    ]
    not_thin = [
        "pracha/accounts/services.py",
        "pracha/accounts/tests/views.py",
        "pracha/accounts/management/commands/views.py",
        "pracha/api.py",
        "pracha/urls.py",
        "pracha/settings/forms.py",
    ]
    assert [path for path in thin if is_thin(path)] == thin
    assert [path for path in not_thin if is_thin(path)] == []


def test_self_migration_checker():
    clean = "from django.db import migrations, models\n"
    assert migration_violations(clean, path="pracha/accounts/migrations/0003_add_service_fee.py") == []
    assert migration_violations(clean, path="pracha/accounts/migrations/0001_initial.py") == []
    assert migration_violations(clean, path="pracha/x/migrations/0002_auto_20261124_0310.py") == [
        Violation(
            "pracha/x/migrations/0002_auto_20261124_0310.py",
            1,
            "an automatic migration name: name it after what it does",
        )
    ]
    assert [v.message for v in migration_violations(clean, path="pracha/x/migrations/2_Add-Fee.py")] == [
        "a migration is named NNNN_lower_case_words.py"
    ]
    app_code = "\n".join(
        [
            "import pracha.accounts.models",
            "from pracha.core.models import TimeStamped",
            "from ..models import User",
        ]
    )
    assert migration_violations(app_code, path="pracha/accounts/migrations/0004_backfill.py") == [
        Violation(
            "pracha/accounts/migrations/0004_backfill.py",
            1,
            "imports pracha.accounts.models; migrations never import app code",
        ),
        Violation(
            "pracha/accounts/migrations/0004_backfill.py",
            2,
            "imports pracha.core.models.TimeStamped; migrations never import app code",
        ),
        Violation(
            "pracha/accounts/migrations/0004_backfill.py",
            3,
            "imports pracha.accounts.models.User; migrations never import app code",
        ),
    ]


def test_self_environ_checker():
    source = "\n".join(
        [
            "import os",
            "import os as operating_system",
            "from os import environ, path",  # 3
            "from os import getenv as ge",  # 4
            "a = os.environ['X']",  # 5
            "b = os.getenv('Y')",  # 6
            "c = operating_system.environ.get('Z')",  # 7
            "d = os.path.join('a', 'b')",  # fine
            "settings.environ = 1",  # fine: not the os module
        ]
    )
    path = "pracha/accounts/services.py"
    assert environ_violations(source, path=path) == [
        Violation(path, 3, "imports os.environ; read configuration from settings"),
        Violation(path, 4, "imports os.getenv; read configuration from settings"),
        Violation(path, 5, "uses os.environ; read configuration from settings"),
        Violation(path, 6, "uses os.getenv; read configuration from settings"),
        Violation(path, 7, "uses os.environ; read configuration from settings"),
    ]
    assert environ_allowed("pracha/settings/base.py")
    assert environ_allowed("manage.py")
    assert not environ_allowed("pracha/core/middleware.py")


def test_self_package_checker():
    packages = [("core", True), ("portal", True), ("settings", False), ("newapp", True), ("utils", False)]
    assert package_violations(packages) == [
        Violation("pracha/newapp/apps.py", 1, "app 'newapp' is not in LAYERS: decide its layer"),
        Violation("pracha/utils/__init__.py", 1, "neither an app (no apps.py) nor project-level"),
    ]


def test_self_violations_are_reported_with_file_and_line():
    violations = [Violation("pracha/b.py", 9, "second"), Violation("pracha/a.py", 3, "first")]
    assert report(violations) == "\npracha/a.py:3: first\npracha/b.py:9: second"
