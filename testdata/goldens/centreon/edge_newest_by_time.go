WARNING: Scenario 'order' status: WARNING | 'order~m#scenario.metric.usage.milliseconds'=2ms;;;;
checking scenario 'order'
    status: WARNING
    metric 'm' value: 2 ms
exit 1
