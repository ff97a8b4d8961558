WARNING: Scenario 'eshop_checkout' status: CRITICAL_TIMEOUT | 'eshop_checkout~Cart size#scenario.metric.usage.'=3items;;;; 'eshop_checkout~Pay#scenario.metric.usage.milliseconds'=30000ms;;;;
exit 1
