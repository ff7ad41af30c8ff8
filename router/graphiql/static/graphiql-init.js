// Mounts GraphiQL in #graphiql using only the router-served React/GraphiQL builds.
// Configuration comes from the page's data-* attributes so no inline script is needed
// (the page's Content-Security-Policy allows scripts from the router only).
(function () {
  "use strict";
  var container = document.getElementById("graphiql");
  var endpoint = new URL(container.dataset.endpoint, window.location.href).href;
  var params = new URLSearchParams(window.location.search);

  function remember(name, value) {
    if (value) {
      params.set(name, value);
    } else {
      params.delete(name);
    }
    var search = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
  }

  var props = {
    fetcher: GraphiQL.createFetcher({ url: endpoint }),
    defaultEditorToolsVisibility: true,
    onEditQuery: function (value) { remember("query", value); },
    onEditVariables: function (value) { remember("variables", value); },
    onEditOperationName: function (value) { remember("operationName", value); },
  };
  // The deployment's example (data-default-*): a first visit opens it, with the headers
  // editor showing; the visitor's own tabs, kept by GraphiQL in localStorage, win later.
  var defaults = container.dataset;
  if (defaults.defaultQuery) {
    props.defaultQuery = defaults.defaultQuery;
    props.defaultHeaders = defaults.defaultHeaders || "";
    props.defaultTabs = [{
      query: defaults.defaultQuery,
      variables: defaults.defaultVariables || "",
      headers: defaults.defaultHeaders || "",
    }];
    if (defaults.defaultHeaders) props.defaultEditorToolsVisibility = "headers";
  }
  if (params.has("query")) props.query = params.get("query");
  if (params.has("variables")) props.variables = params.get("variables");
  if (params.has("operationName")) props.operationName = params.get("operationName");

  ReactDOM.createRoot(container).render(React.createElement(GraphiQL, props));
})();
