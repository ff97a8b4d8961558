CRITICAL: Scenario 'eshop_checkout' status: CRITICAL_TIMEOUT | 'eshop_checkout~Cart size#scenario.metric.usage.'=3items;;;; 'eshop_checkout~Pay#scenario.metric.usage.milliseconds'=30000ms;;;;
checking scenario 'eshop_checkout'
    status: CRITICAL_TIMEOUT
    metric 'Cart size' value: 3 items
    metric 'Pay' value: 30000 ms
exit 2
