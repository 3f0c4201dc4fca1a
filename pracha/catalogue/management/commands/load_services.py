"""Load service definitions from YAML or JSON files and publish them (a new version only if changed)."""

import json
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pracha.catalogue.definitions import DefinitionInvalid
from pracha.catalogue.services import definition_save

DEFINITIONS_DIR = Path(__file__).resolve().parents[2] / "definitions"


# libyaml's loader when PyYAML was built with it: ten times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_definition(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506


class Command(BaseCommand):
    help = "Load service definitions (default: pracha/catalogue/definitions/) and publish them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path)
        parser.add_argument("--draft", action="store_true", help="save as drafts without publishing")

    def handle(self, *args: Any, paths: list[Path], draft: bool, **options: Any) -> None:
        files = paths or sorted([*DEFINITIONS_DIR.glob("*.yaml"), *DEFINITIONS_DIR.glob("*.json")])
        failed = False
        for path in files:
            try:
                version = definition_save(actor=None, data=read_definition(path), publish=not draft)
            except DefinitionInvalid as error:
                failed = True
                self.stderr.write(f"{path}:")
                for problem in error.problems:
                    self.stderr.write(f"  {problem}")
                continue
            except (OSError, yaml.YAMLError, json.JSONDecodeError) as error:
                failed = True
                self.stderr.write(f"{path}: {error}")
                continue
            self.stdout.write(f"{version.service.code}: version {version.number} ({version.status})")
        if failed:
            raise CommandError("Some definitions were not loaded.")
