WARNING: Scenario 'dup' status: WARNING | 'dup~m#scenario.metric.usage.milliseconds'=2ms;;;;
checking scenario 'dup'
    status: WARNING
    metric 'm' value: 2 ms
exit 1
