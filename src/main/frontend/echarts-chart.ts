import { LitElement, css, html } from 'lit';
import * as echarts from 'echarts';

/**
 * An Apache ECharts chart whose whole option arrives from the server as one JSON property.
 * Faultline's run page draws a guardrail's samples, its threshold and the moment of an abort.
 */
class EchartsChart extends LitElement {
  static properties = { option: { type: Object, attribute: false } };

  static styles = css`
    :host { display: block; height: 260px; }
    #chart { width: 100%; height: 100%; }
  `;

  declare option: echarts.EChartsOption | undefined;
  private chart?: echarts.ECharts;
  private resizeObserver?: ResizeObserver;

  render() {
    return html`<div id="chart"></div>`;
  }

  private init() {
    if (this.chart) {
      return;
    }
    this.chart = echarts.init(this.renderRoot.querySelector('#chart') as HTMLDivElement);
    this.resizeObserver = new ResizeObserver(() => this.chart?.resize());
    this.resizeObserver.observe(this);
    if (this.option) {
      this.chart.setOption(this.option, { notMerge: true });
    }
  }

  firstUpdated() {
    this.init();
  }

  connectedCallback() {
    super.connectedCallback();
    if (this.hasUpdated) {
      this.init();
    }
  }

  updated(changed: Map<string, unknown>) {
    if (changed.has('option') && this.chart && this.option) {
      this.chart.setOption(this.option, { notMerge: true });
    }
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.chart?.dispose();
    this.chart = undefined;
  }
}

customElements.define('echarts-chart', EchartsChart);
