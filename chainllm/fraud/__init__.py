"""Transaction fraud scoring: features, rules, LightGBM, LoRA classifier, calibration,
evaluation. Heavy imports (lightgbm, torch) happen inside functions.

Public API: ``Scorer`` / ``ScoreOptions`` (chainllm.fraud.scorer), ``RiskScore``
(chainllm.fraud.result), ``train_fraud`` / ``evaluate_model`` (chainllm.fraud.training),
``FraudModel`` / ``latest_model`` (chainllm.fraud.model)."""
