OK: Scenario 'single' status: OK - metric 'only' value: 42 ms | 'single~only#scenario.metric.usage.milliseconds'=42ms;;;;
checking scenario 'single'
    status: OK
    metric 'only' value: 42 ms
exit 0
