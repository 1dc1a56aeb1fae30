// The test page: the app's dashboard definition, unchanged, rendered by Splunk's own Dashboard
// Studio framework (DashboardCore + EnterpriseViewOnlyPreset). Every search data source type is
// served by FixtureSearch, a subclass of the framework's own test data source (ds.test) that
// returns the fixture table for its data source id and records the options it was given, so the
// runner can check that tokens resolved. The runner reads window.__kubepriv.
import React from 'react';
import { createRoot } from 'react-dom/client';
import DashboardCore from '@splunk/dashboard-core';
import { DashboardContextProvider } from '@splunk/dashboard-context';
import CloudViewOnlyPreset from '@splunk/dashboard-presets/CloudViewOnlyPreset';
import EnterpriseViewOnlyPreset from '@splunk/dashboard-presets/EnterpriseViewOnlyPreset';
import SplunkThemeProvider from '@splunk/themes/SplunkThemeProvider';

const { definition, fixtures } = window.__KUBEPRIV_INPUT__;
const params = new URLSearchParams(window.location.search);
const colorScheme = params.get('theme') === 'light' ? 'light' : 'dark';

const state = {
  created: [], // every data source instance the framework created: {id, type, options}
  missing: [], // data source ids with no fixture
  errors: [], // render errors caught by the error boundary
};
window.__kubepriv = state;

const TestDataSource = EnterpriseViewOnlyPreset.dataSources['ds.test'];

function makeFixtureSearch(type) {
  const Original = EnterpriseViewOnlyPreset.dataSources[type];
  return class FixtureSearch extends TestDataSource {
    // The original type's config (chain rules, options schema): the framework validates the
    // dashboard's data sources exactly as it would in Splunk.
    static config = Original.config;

    static schema = Original.schema;

    constructor(options = {}, context = {}, meta, baseChainModel) {
      const id = context.id;
      const fixture = fixtures[id];
      state.created.push({ id, type, options: JSON.parse(JSON.stringify(options)) });
      if (!fixture) {
        state.missing.push(id);
      }
      super(
        fixture
          ? { data: { fields: fixture.fields.map((name) => ({ name })), columns: fixture.columns } }
          : { error: `kubepriv test harness: no fixture for data source ${id}` },
        context,
        meta,
        baseChainModel
      );
    }

    // A chain search gets its parent's results pushed here; the fixture already holds the
    // chain's own result, so the parent's rows are only acknowledged.
    getObserver() {
      return { next() {}, error() {}, complete() {} };
    }
  };
}

// The Enterprise time range input asks splunkweb for its presets; there is no splunkweb here,
// so the framework's own generic time range input (the same input type, from the Cloud preset)
// takes its place. The token it sets ($global_time.earliest$/.latest$) is the same.
const preset = {
  ...EnterpriseViewOnlyPreset,
  inputs: {
    ...EnterpriseViewOnlyPreset.inputs,
    'input.timerange': CloudViewOnlyPreset.inputs['input.timerange'],
  },
  dataSources: {
    ...EnterpriseViewOnlyPreset.dataSources,
    'ds.search': makeFixtureSearch('ds.search'),
    'ds.chain': makeFixtureSearch('ds.chain'),
    'ds.savedSearch': makeFixtureSearch('ds.savedSearch'),
  },
};

// Event handler types the framework's presets do not provide (Splunk Web adds some, such as
// drilldown.linkToSearch): the runner names them, since clicking them does nothing here.
state.handlersNotInPreset = Object.entries(definition.visualizations || {}).flatMap(([id, v]) =>
  (v.eventHandlers || [])
    .filter((h) => !(preset.eventHandlers && h.type in preset.eventHandlers))
    .map((h) => `${id}: ${h.type}`)
);

class Boundary extends React.Component {
  constructor(props) {
    super(props);
    this.state = { error: null };
  }

  static getDerivedStateFromError(error) {
    return { error };
  }

  componentDidCatch(error) {
    state.errors.push(String(error && error.stack ? error.stack : error));
  }

  render() {
    if (this.state.error) {
      return <pre id="kubepriv-render-error">{String(this.state.error)}</pre>;
    }
    return this.props.children;
  }
}

document.body.style.margin = '0';
document.body.style.background = colorScheme === 'dark' ? '#0b0c0e' : '#ffffff';
createRoot(document.getElementById('root')).render(
  <Boundary>
    <SplunkThemeProvider family="enterprise" colorScheme={colorScheme} density="compact">
      <DashboardContextProvider preset={preset} initialDefinition={definition}>
        <DashboardCore width="100%" height="auto" />
      </DashboardContextProvider>
    </SplunkThemeProvider>
  </Boundary>
);
