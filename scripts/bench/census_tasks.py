"""What one Doppel model answers on census, next to a task-specific baseline (BENCHMARKS.md):

- predict: `doppel predict --target income --proba` on held-out rows: accuracy and ROC AUC,
  against scikit-learn's HistGradientBoostingClassifier trained on the same rows;
- rebalance: `doppel generate --rebalance income=>50K:0.5`: the share of >50K, and P(sex | income)
  against the training data's;
- impute: 20 % of the held-out rows' occupation masked, `doppel generate --impute occupation`
  with the rows as seed data: accuracy of the imputed values, against the most frequent
  occupation and against a HistGradientBoostingClassifier of occupation.

Usage: .venv-reference/bin/python scripts/bench/census_tasks.py --data ../shared/data/census.csv.gz [--work DIR]
(needs pandas and scikit-learn: the reference venv of scripts/bench/reference-venv.sh has both).
"""

import argparse
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score

REPO = Path(__file__).resolve().parents[2]
DOPPEL = REPO / "scripts" / "doppel"


def doppel(*arguments: str) -> float:
    started = time.monotonic()
    subprocess.run([str(DOPPEL), *arguments, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def boosted(train: pd.DataFrame, test: pd.DataFrame, target: str):
    features = [c for c in train.columns if c != target]
    both = pd.concat([train[features], test[features]])
    categorical = [c for c in features if not pd.api.types.is_numeric_dtype(both[c])]
    for c in categorical:
        both[c] = both[c].astype("category")
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    model.fit(both.iloc[:len(train)], train[target])
    return model, both.iloc[len(train):]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=REPO / "bench-data" / "census-tasks")
    arguments = parser.parse_args()
    work = arguments.work
    work.mkdir(parents=True, exist_ok=True)
    frame = pd.read_csv(arguments.data)
    rng = np.random.default_rng(42)
    test_rows = rng.random(len(frame)) < 0.2
    train, test = frame[~test_rows].reset_index(drop=True), frame[test_rows].reset_index(drop=True)
    train.to_csv(work / "train.csv", index=False)
    test.drop(columns=["income"]).to_csv(work / "test-features.csv", index=False)
    ws = str(work / "ws")
    fit = sum(doppel(step, *(["--data", str(work / "train.csv")] if step == "split" else []), "--workspace", ws, "--seed", "1")
              for step in ("split", "analyze", "encode")) + doppel("train", "--workspace", ws, "--seed", "1")
    print(f"Doppel model: split + analyze + encode + train {fit:.0f} s on {len(train):,} rows")

    # Prediction.
    seconds = doppel("predict", "--workspace", ws, "--data", str(work / "test-features.csv"), "--target", "income", "--proba",
                     "--output", str(work / "proba.csv"), "--force")
    proba = pd.read_csv(work / "proba.csv")
    classes = [c for c in proba.columns if c in (">50K", "<=50K")]
    predicted = proba[classes].idxmax(axis=1)
    truth = test["income"]
    doppel_accuracy, doppel_auc = accuracy_score(truth, predicted), roc_auc_score(truth == ">50K", proba[">50K"])
    started = time.monotonic()
    model, features = boosted(train, test, "income")
    gbt_accuracy = accuracy_score(truth, model.predict(features))
    gbt_auc = roc_auc_score(truth == ">50K", model.predict_proba(features)[:, list(model.classes_).index(">50K")])
    gbt_seconds = time.monotonic() - started
    print(f"predict income ({len(test):,} rows): Doppel accuracy {doppel_accuracy:.4f}, ROC AUC {doppel_auc:.4f} ({seconds:.1f} s); "
          f"HistGradientBoosting accuracy {gbt_accuracy:.4f}, ROC AUC {gbt_auc:.4f} ({gbt_seconds:.1f} s, fit + predict)")

    # Rebalancing.
    doppel("generate", "--workspace", ws, "--rows", "20000", "--rebalance", "income=>50K:0.5", "--output",
           str(work / "rebalanced.csv"), "--force", "--seed", "2")
    rebalanced = pd.read_csv(work / "rebalanced.csv")
    share = (rebalanced["income"] == ">50K").mean()
    male_train = train.groupby("income")["sex"].apply(lambda s: (s == "Male").mean())
    male_rebalanced = rebalanced.groupby("income")["sex"].apply(lambda s: (s == "Male").mean())
    print(f"rebalance income to 50:50 (20,000 rows): share of >50K {share:.4f} (training {(train['income'] == '>50K').mean():.4f}); "
          f"P(Male | >50K) {male_rebalanced['>50K']:.3f} vs training {male_train['>50K']:.3f}, "
          f"P(Male | <=50K) {male_rebalanced['<=50K']:.3f} vs training {male_train['<=50K']:.3f}")

    # Imputation.
    known = test[test["occupation"].notna()].reset_index(drop=True)
    masked = known.copy()
    hide = np.random.default_rng(7).random(len(known)) < 0.2
    masked.loc[hide, "occupation"] = None
    masked.to_csv(work / "masked.csv", index=False)
    doppel("generate", "--workspace", ws, "--seed-data", str(work / "masked.csv"), "--impute", "occupation", "--output",
           str(work / "imputed.csv"), "--force", "--seed", "3")
    imputed = pd.read_csv(work / "imputed.csv")
    truth = known.loc[hide, "occupation"]
    doppel_imputed = accuracy_score(truth, imputed.loc[hide, "occupation"])
    # The point estimate: the most likely occupation given the rest of the row.
    masked[hide].drop(columns=["occupation"]).to_csv(work / "masked-rows.csv", index=False)
    doppel("predict", "--workspace", ws, "--data", str(work / "masked-rows.csv"), "--target", "occupation", "--output",
           str(work / "occupation.csv"), "--force")
    doppel_mode = accuracy_score(truth, pd.read_csv(work / "occupation.csv")["occupation"])
    kept = (imputed.loc[~hide, "occupation"].values == known.loc[~hide, "occupation"].values).mean()
    mode = accuracy_score(truth, [train["occupation"].mode()[0]] * len(truth))
    model, features = boosted(train[train["occupation"].notna()], known[hide], "occupation")
    gbt = accuracy_score(truth, model.predict(features))
    print(f"impute 20 % masked occupation ({hide.sum():,} cells): Doppel accuracy {doppel_imputed:.4f} (one draw, "
          f"`generate --impute`), {doppel_mode:.4f} (most likely value, `predict`); unmasked cells kept {kept:.4f}; "
          f"most frequent occupation {mode:.4f}; HistGradientBoosting {gbt:.4f}")


if __name__ == "__main__":
    main()
