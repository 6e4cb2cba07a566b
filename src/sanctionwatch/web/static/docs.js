// Swagger UI from the vendored bundle (no CDN), reading this server's OpenAPI document.
"use strict";
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
