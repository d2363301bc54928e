//! The layer in front of a tonic gRPC server, over a real HTTP/2 connection.

use std::time::Duration;

use crossgate_core::{Policy, PolicyConfig, RuleConfig};
use crossgate_tower::CorsLayer;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Server};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

#[tokio::test]
async fn grpc_calls_pass_through_and_get_cors_headers() {
    let policy = Policy::new(PolicyConfig::new(
        RuleConfig::new(["https://app.example.com"])
            .methods(["POST"])
            .request_headers(["content-type", "x-grpc-web", "x-user-agent"])
            .expose_headers(["grpc-status", "grpc-message"]),
    ))
    .unwrap()
    .policy;
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter.set_service_status("", tonic_health::ServingStatus::Serving).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tokio::spawn(async move {
        Server::builder()
            .layer(CorsLayer::new(policy))
            .add_service(health)
            .serve_with_incoming(incoming)
            .await
            .unwrap();
    });

    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap();
    let mut client = HealthClient::new(channel);

    let mut request = tonic::Request::new(HealthCheckRequest { service: String::new() });
    request.metadata_mut().insert("origin", MetadataValue::from_static("https://app.example.com"));
    let response = client.check(request).await.unwrap();
    let meta = response.metadata();
    assert_eq!(meta.get("access-control-allow-origin").unwrap(), "https://app.example.com");
    assert_eq!(meta.get("access-control-expose-headers").unwrap(), "grpc-status, grpc-message");
    assert_eq!(meta.get("vary").unwrap(), "Origin");
    assert_eq!(response.into_inner().status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);

    let mut request = tonic::Request::new(HealthCheckRequest { service: String::new() });
    request.metadata_mut().insert("origin", MetadataValue::from_static("https://evil.example"));
    let response = client.check(request).await.unwrap();
    assert!(response.metadata().get("access-control-allow-origin").is_none());
}
