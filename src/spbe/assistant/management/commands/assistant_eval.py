"""Evaluate the assistant on the gold set: hit@1, hit@3, MRR, hand-off precision/recall,
wrong-answer rate and latency per language (``make eval-assistant``)."""

import json

from django.core.management.base import BaseCommand, CommandError

from spbe.assistant import evaluation


def _f(value, digits=3):
    return "—" if value is None else f"{value:.{digits}f}"


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Evaluate the Love Bali assistant on its multilingual gold set."

    def add_arguments(self, parser):
        parser.add_argument("--gold", help="a JSONL gold file (default: the one shipped with the assistant)")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
        parser.add_argument("--mistakes", action="store_true", help="list the questions answered wrongly")
        parser.add_argument("--no-calibration", action="store_true",
                            help="skip the cross-validation over the realistic calibration messages (a few seconds per fold)")

    def handle(self, *args, gold, format, check, mistakes, no_calibration, **options):
        try:
            report = evaluation.evaluate(evaluation.load_gold(gold))
            report["calibration"] = None if no_calibration else evaluation.calibration_report()
        except (OSError, ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        failures = evaluation.meets_targets(report)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            header = f"{'lang':5} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'ho-P':>6} {'ho-R':>6} {'wrong':>6} {'ans':>6} {'ans+s':>6} {'p50ms':>6} {'p95ms':>6}"
            self.stdout.write(header)
            for row in [*report["languages"], report["overall"]]:
                self.stdout.write(
                    f"{row['language']:5} {row['questions']:>4} {_f(row['hit@1']):>6} {_f(row['hit@3']):>6} {_f(row['mrr']):>6} "
                    f"{_f(row['handoff_precision']):>6} {_f(row['handoff_recall']):>6} {_f(row['wrong_rate']):>6} "
                    f"{_f(row['answered']):>6} {_f(row['answered_or_suggested']):>6} "
                    f"{_f(row['p50_ms'], 0):>6} {_f(row['p95_ms'], 0):>6}")
            self.stdout.write(f"entries in force: {report['entries']}; answer threshold (calibrated): {report['threshold']:.3f}")
            self.stdout.write("ho-P/ho-R: hand-off precision/recall; ans: answerable questions answered right at once; "
                              "ans+s: answered, or the right question among the offered suggestions")
            self.stdout.write("reliability on the gold set (confidence band: questions, top entry right):")
            for band in report["reliability"]:
                self.stdout.write(f"  {band['from']:.2f}-{band['to']:.2f}: {band['count']:>4}  {_f(band['right'])}")
            cal = report["calibration"]
            if cal:
                self.stdout.write(
                    f"realistic calibration messages, {cal['folds']}-fold cross-validated: {cal['messages']} messages, "
                    f"answered right at once {_f(cal['answered_right_rate'])} of {cal['answerable']} answerable, "
                    f"wrong {_f(cal['wrong_rate'])}, handed off {cal['handed_off']} "
                    f"(threshold in use {cal['threshold_in_use']:.3f}, chosen on {cal['threshold_rows']} rows)")
            self.stdout.write("targets: hit@1 >= 0.9 per language, wrong <= 0.02, p95 < 150 ms")
            self.stdout.write("all targets met" if not failures else "targets missed:\n  " + "\n  ".join(failures))
            if mistakes:
                for m in (cal or {}).get("mistakes", []):
                    self.stdout.write(f"  calibration: {m['message'][:90]} → {m['got']} (expected {m['expected']})")
                for m in report["mistakes"]:
                    self.stdout.write(f"  {m['id']}: {m['question']} → {m['got'] or 'hand-off'} (expected {m['expected']})")
        if check and failures:
            raise SystemExit(1)
