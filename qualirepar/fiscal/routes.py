"""The owner's compliance page: the last verification of the chain, a button to run one, the public key."""
