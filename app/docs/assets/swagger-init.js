/* Starts Swagger UI on /api/v1/docs (Tandem's own file, not an inline script: the docs
   pages' Content-Security-Policy runs scripts from this origin only). */
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    // the default would load a badge from a validator on the internet
    validatorUrl: null
  });
});
