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
  // The deployment's example (data-default-*): a first visit (no tabs stored by GraphiQL
  // in localStorage yet) opens it, variables filled in and the headers editor showing;
  // later visits keep the visitor's own tabs. New tabs start from the example too.
  var defaults = container.dataset;
  if (defaults.defaultQuery) {
    props.defaultQuery = defaults.defaultQuery;
    props.defaultHeaders = defaults.defaultHeaders || "";
    if (firstVisit() && !params.has("query")) {
      props.query = defaults.defaultQuery;
      props.variables = defaults.defaultVariables || "";
      props.headers = defaults.defaultHeaders || "";
      if (defaults.defaultHeaders) props.defaultEditorToolsVisibility = "headers";
    }
  }

  function firstVisit() {
    try {
      return window.localStorage.getItem("graphiql:tabState") === null;
    } catch (error) {
      return true; // storage blocked: GraphiQL keeps nothing either
    }
  }
  if (params.has("query")) props.query = params.get("query");
  if (params.has("variables")) props.variables = params.get("variables");
  if (params.has("operationName")) props.operationName = params.get("operationName");

  ReactDOM.createRoot(container).render(React.createElement(GraphiQL, props));
})();
