"""Rebuild the demo in a temporary folder and write its fingerprint to demo_fingerprint.json. Run only
when a change is meant to alter the demo's tables, and say why in the commit."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from carbon_pipeline.demo.generator import generate_demo
from carbon_pipeline.runner import failure_messages
from carbon_pipeline_tests.conftest import make_deployment
from carbon_pipeline_tests.fingerprint import fingerprint


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "files"
        generate_demo(demo)
        deployment = make_deployment(Path(tmp) / "built", demo)
        result = deployment.run()
        assert result.success, failure_messages(result)
        golden = {
            database: fingerprint(getattr(deployment.settings, database), deployment.root)
            for database in ("warehouse", "serving")
        }
    target = Path(__file__).with_name("demo_fingerprint.json")
    target.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
