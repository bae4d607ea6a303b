"""`leadpact advice`: train the predictive score on the recorded outcomes, and read what it suggests."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact import clock
from leadpact.core.errors import LeadpactError
from leadpact.insights.advice import advice_train, latest_model, proposed_text
from leadpact.pact.selectors import version_in_force
from leadpact.pact.services import next_version_number


class Command(BaseCommand):
    help = ("The predictive score, as advice beside the pact's score (it never qualifies or routes a lead): train it "
            "on the recorded won and lost leads, or write its suggested fit points and MQL threshold into a pact file "
            "to propose.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        train = sub.add_parser("train", help="train on every lead with a settled outcome; print how well it does")
        train.add_argument("--model", choices=["logistic", "boosting"], default="logistic",
                           help="logistic regression (default; its factors are exact) or gradient boosting")
        train.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
        suggest = sub.add_parser("suggest", help="the latest model's suggested fit rules and MQL threshold")
        suggest.add_argument("--out", type=Path, help="write the pact in force with the suggestion, as the next "
                             "version, to this file (edit it, then: leadpact pact propose FILE)")

    def handle(self, *args: object, **options: object) -> None:
        now = clock.now()
        try:
            if options["action"] == "train":
                model = advice_train(now, str(options["model"]), max(int(options["folds"]), 2))
                self.stdout.write(f"Trained a {model.kind} model on {model.leads:,} settled leads ({model.won:,} won): "
                                  f"ROC AUC {model.auc:.3f} ± {model.auc_std:.3f}, PR AUC {model.pr_auc:.3f} "
                                  f"(a random score: {model.won / model.leads:.3f})")
                for factor in model.factors:
                    self.stdout.write(f"  · {factor}")
                return
            model = latest_model()
            if options["out"]:
                text = proposed_text(version_in_force(now).text, model.suggestion, next_version_number())
                options["out"].write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {options['out']}: review it, then `leadpact pact propose {options['out']}`")
            else:
                self.stdout.write(model.suggestion)
        except LeadpactError as err:
            raise CommandError(str(err)) from None
