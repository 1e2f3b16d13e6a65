// The parts of Apache ECharts the Statistiques screen draws with, loaded on first use (a separate
// chunk: the other screens do not pay for it).
import { init, use } from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export { init };
export type { EChartsCoreOption, EChartsType } from 'echarts/core';
