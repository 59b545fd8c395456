using System.Runtime.InteropServices;

namespace Ipvs.Health.Tls;

/// <summary>
/// One OpenSSL client context (SSL_CTX) shared by every connection of a prober: TLS 1.2 or
/// later, ALPN http/1.1, idle connections' buffers released (SSL_MODE_RELEASE_BUFFERS), and
/// either no verification at all or the system's trust store.
/// </summary>
internal sealed unsafe class TlsClientContext : SafeHandle
{
    private TlsClientContext()
        : base(0, ownsHandle: true)
    {
    }

    /// <summary>Whether the server's certificate is verified (against the system's roots and the server's IP address).</summary>
    public bool Verify { get; private init; }

    public override bool IsInvalid => handle == 0;

    /// <exception cref="InvalidOperationException">OpenSSL is missing or refused the settings.</exception>
    public static TlsClientContext Create(bool verify)
    {
        OpenSsl.EnsureLoaded();
        OpenSsl.ERR_clear_error();
        var context = new TlsClientContext { Verify = verify };
        var ctx = OpenSsl.SSL_CTX_new(OpenSsl.TLS_client_method());
        if (ctx == 0)
        {
            throw new InvalidOperationException("OpenSSL could not create a TLS context: " + OpenSsl.TakeError("SSL_CTX_new failed"));
        }

        context.SetHandle(ctx);
        OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_MODE, OpenSsl.SSL_MODE_RELEASE_BUFFERS | OpenSsl.SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, 0);
        OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_SET_MIN_PROTO_VERSION, OpenSsl.TLS1_2_VERSION, 0);
        ReadOnlySpan<byte> alpn = [8, (byte)'h', (byte)'t', (byte)'t', (byte)'p', (byte)'/', (byte)'1', (byte)'.', (byte)'1'];
        fixed (byte* protocols = alpn)
        {
            OpenSsl.SSL_CTX_set_alpn_protos(ctx, protocols, (uint)alpn.Length);
        }

        if (verify)
        {
            OpenSsl.SSL_CTX_set_default_verify_paths(ctx);
            OpenSsl.SSL_CTX_set_verify(ctx, OpenSsl.SSL_VERIFY_PEER, 0);
        }
        else
        {
            OpenSsl.SSL_CTX_set_verify(ctx, OpenSsl.SSL_VERIFY_NONE, 0);
        }

        return context;
    }

    protected override bool ReleaseHandle()
    {
        OpenSsl.SSL_CTX_free(handle);
        return true;
    }
}
