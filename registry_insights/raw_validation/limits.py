"""The limits of a raw-data validation run: sample seed, example and path counts."""

#: Seed of the reservoir sample, so that a rerun checks the same rows.
SAMPLE_SEED = 42
#: Example values reported per failed expectation.
MAX_EXAMPLES = 5
#: File paths listed per layout finding.
MAX_LISTED_PATHS = 5
#: Longest example value shown (longer ones are cut).
MAX_EXAMPLE_CHARS = 80
