"""Doppel's DP-SGD accountant against Opacus's (an independent implementation), for the
trainings of scripts/bench/census_dp.py: for each DP workspace, the (σ, q, steps, δ) of its
model.json (σ as used: given or calibrated) give ε by Opacus's RDPAccountant, next to Doppel's ε.

Usage: .venv-reference/bin/python scripts/bench/dp_accountant_check.py --work DIR
  (DIR: census_dp.py's --work; needs `pip install opacus` in that venv)
"""

import argparse
import json
from pathlib import Path

from opacus.accountants import RDPAccountant


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    arguments = parser.parse_args()
    for model in sorted(arguments.work.glob("ws-*/ModelStore/model-data/model.json")):
        training = json.loads(model.read_text())["training"]
        if training.get("privacyEpsilon") is None:
            continue
        stats = json.loads((model.parents[1] / "tgt-stats" / "stats.json").read_text())
        rows = stats.get("trainingRecords") or stats.get("no_of_training_records")
        q = training["batchSize"] / rows
        sigma = training["privacyNoiseMultiplier"]
        accountant = RDPAccountant()
        accountant.history = [(sigma, q, training["steps"])]
        opacus = accountant.get_epsilon(delta=training["privacyDelta"])
        print(f"{model.parents[2].name}: σ {sigma:.6f}, q {q:.6f}, {training['steps']} steps, "
              f"δ {training['privacyDelta']}: Doppel ε {training['privacyEpsilon']:.6f}, Opacus ε {opacus:.6f}")


if __name__ == "__main__":
    main()
