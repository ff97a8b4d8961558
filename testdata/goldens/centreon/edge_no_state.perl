OK: Scenario 'no_state' metric 'm' value: 5 ms | 'no_state~m#scenario.metric.usage.milliseconds'=5ms;;;;
checking scenario 'no_state'
    metric 'm' value: 5 ms
exit 0
