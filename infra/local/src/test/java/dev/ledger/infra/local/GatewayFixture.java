package dev.ledger.infra.local;

import dev.ledger.infra.Template;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A local HTTP API over the test handlers ({@link EchoHandler}, {@link BearerAuthorizer}), for the gateway's tests. */
final class GatewayFixture implements AutoCloseable {

    static final String TEMPLATE = """
            Resources:
              EchoRole: {Type: AWS::IAM::Role}
              EchoFunction:
                Type: AWS::Lambda::Function
                Properties:
                  Handler: dev.ledger.infra.local.EchoHandler::handleRequest
                  Role: !GetAtt EchoRole.Arn
                  MemorySize: 512
                  Timeout: 5
              AuthFunction:
                Type: AWS::Lambda::Function
                Properties:
                  Handler: dev.ledger.infra.local.BearerAuthorizer::handleRequest
                  Role: !GetAtt EchoRole.Arn
              Integration:
                Type: AWS::ApiGatewayV2::Integration
                Properties: {IntegrationUri: !GetAtt EchoFunction.Arn}
              Authorizer:
                Type: AWS::ApiGatewayV2::Authorizer
                Properties:
                  AuthorizerType: REQUEST
                  AuthorizerPayloadFormatVersion: "2.0"
                  EnableSimpleResponses: true
                  IdentitySource: [$request.header.Authorization]
                  AuthorizerUri: !Sub "arn:aws:apigateway:r:lambda:path/2015-03-31/functions/${AuthFunction.Arn}/invocations"
              Health:
                Type: AWS::ApiGatewayV2::Route
                Properties: {RouteKey: GET /health, Target: !Sub "integrations/${Integration}"}
              Boom:
                Type: AWS::ApiGatewayV2::Route
                Properties: {RouteKey: GET /boom, Target: !Sub "integrations/${Integration}"}
              Freeze:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  RouteKey: POST /accounts/{accountId}/freeze
                  AuthorizationType: CUSTOM
                  AuthorizerId: !Ref Authorizer
                  Target: !Sub "integrations/${Integration}"
              Created:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  RouteKey: POST /created
                  AuthorizationType: CUSTOM
                  AuthorizerId: !Ref Authorizer
                  Target: !Sub "integrations/${Integration}"
            """;

    final HttpApiGateway gateway;
    private final List<LocalFunction> functions;

    private GatewayFixture(HttpApiGateway gateway, List<LocalFunction> functions) {
        this.gateway = gateway;
        this.functions = functions;
    }

    static GatewayFixture start(LocalHttpServer.Settings settings) {
        Template template = Template.parse(TEMPLATE);
        Map<String, LocalFunction> byId = new LinkedHashMap<>();
        for (Template.Function spec : template.functions()) {
            byId.put(spec.logicalId(), LocalFunction.load(spec, "fn-" + spec.logicalId(),
                    "arn:aws:lambda:us-east-1:123456789012:function:fn-" + spec.logicalId()));
        }
        HttpApiGateway gateway = HttpApiGateway.start(template.routes(),
                Map.of("Authorizer", template.authorizer("Authorizer")), Map.of(), byId, 0, settings, "us-east-1",
                "123456789012");
        return new GatewayFixture(gateway, List.copyOf(byId.values()));
    }

    int port() {
        return gateway.port();
    }

    @Override
    public void close() {
        gateway.close();
        functions.forEach(LocalFunction::close);
    }
}
