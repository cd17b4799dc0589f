// Entry of the dashboard's charting bundle: ECharts with only the charts
// and components the dashboard draws. `make web` bundles it with esbuild
// into static/vendor/charts.js, which sets window.echarts.
import { init, use, version } from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);
window.echarts = { init: init, version: version };
