<?xml version="1.0" encoding="utf-8"?>
<data>
  <label alias="" app_name="-" display_name="Alpha&amp;#x9;tab&amp;#xA;line" id="501" name="Alpha"/>
  <label alias="a2 &amp; &lt;x&gt;" app_name="-" display_name="Alpha 2" id="503" name="alpha2"/>
  <label alias="b" app_name="App" display_name="Beta" id="502" name="beta"/>
  <label alias="second" app_name="App" display_name="Gamma" id="504" name="gamma"/>
</data>
exit 0
