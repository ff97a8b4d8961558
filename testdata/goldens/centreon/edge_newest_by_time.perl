CRITICAL: Scenario 'order' status: CRITICAL | 'order~m#scenario.metric.usage.milliseconds'=3ms;;;;
checking scenario 'order'
    status: CRITICAL
    metric 'm' value: 3 ms
exit 2
