//! Signals: SIGHUP reloads the gateway's config, SIGTERM and SIGINT stop it.

/// Returns on SIGTERM or SIGINT; reloads the gateway on SIGHUP.
pub(super) async fn wait_for_signals(gateway: Option<&crossgate_gateway::Gateway>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut hup), Ok(mut term)) = (signal(SignalKind::hangup()), signal(SignalKind::terminate())) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        loop {
            tokio::select! {
                _ = hup.recv() => {
                    if let Some(g) = gateway {
                        tracing::info!("SIGHUP: reloading the config");
                        let _ = g.reload();
                    }
                }
                _ = term.recv() => return,
                _ = tokio::signal::ctrl_c() => return,
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = gateway;
        let _ = tokio::signal::ctrl_c().await;
    }
}
