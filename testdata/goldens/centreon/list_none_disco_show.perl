<?xml version="1.0" encoding="utf-8"?>
<data/>
exit 0
