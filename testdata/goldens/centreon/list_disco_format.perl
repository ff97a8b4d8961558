<?xml version="1.0" encoding="utf-8"?>
<data>
  <element>id</element>
  <element>name</element>
  <element>alias</element>
  <element>display_name</element>
  <element>app_name</element>
</data>
exit 0
