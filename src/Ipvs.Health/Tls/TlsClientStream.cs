using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Ipvs.Health.Tls;

/// <summary>
/// A TLS client connection over a connected <see cref="Socket"/>: OpenSSL does the protocol on
/// two memory BIOs, this class moves their bytes with the socket's asynchronous operations.
/// </summary>
/// <remarks>
/// Why not SslStream: with a thousand real servers kept alive it held 100–200 MB of native
/// memory (a context and full record buffers per connection) and added 4 MB to the native
/// binary. Here every connection shares one context and releases its buffers when idle.
/// Not thread-safe: a probe uses its connection alone.
/// </remarks>
internal sealed class TlsClientStream : Stream
{
    // Bytes moved between the socket and the BIOs at a time: small chunks keep the BIOs small.
    private const int ChunkSize = 4096;

    private readonly Socket _socket;
    private nint _ssl;
    private nint _input;   // network → OpenSSL
    private nint _output;  // OpenSSL → network

    private TlsClientStream(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Runs the handshake with the server at the other end of <paramref name="socket"/>.</summary>
    /// <exception cref="AuthenticationException">The handshake failed (the message says why: a verify error, an alert, …).</exception>
    /// <exception cref="IOException">The server closed the connection during the handshake.</exception>
    public static async Task<TlsClientStream> ConnectAsync(Socket socket, TlsClientContext context, IPAddress address, CancellationToken cancellationToken)
    {
        var stream = new TlsClientStream(socket);
        try
        {
            stream.Create(context, address);
            await stream.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var written = TlsWrite(buffer.Span);
            await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
            buffer = buffer[written..];
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (read, error) = TlsRead(buffer.Span);
            if (read > 0)
            {
                return read;
            }

            switch (error)
            {
                case OpenSsl.SSL_ERROR_ZERO_RETURN:
                    return 0; // close_notify
                case OpenSsl.SSL_ERROR_WANT_READ:
                    await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
                    if (!await FillInputAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return 0; // the server closed the connection without close_notify, as many do
                    }

                    break;
                case OpenSsl.SSL_ERROR_WANT_WRITE:
                    await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new IOException("TLS error: " + OpenSsl.TakeError("the connection failed"));
            }
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => FlushOutputAsync(cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override unsafe void Dispose(bool disposing)
    {
        if (_ssl != 0)
        {
            OpenSsl.SSL_free(_ssl); // frees both BIOs
            _ssl = 0;
        }
        else
        {
            // Before SSL_set_bio the BIOs are ours.
            if (_input != 0)
            {
                OpenSsl.BIO_free(_input);
            }

            if (_output != 0)
            {
                OpenSsl.BIO_free(_output);
            }
        }

        _input = 0;
        _output = 0;
        if (disposing)
        {
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    private unsafe void Create(TlsClientContext context, IPAddress address)
    {
        OpenSsl.ERR_clear_error();
        _input = OpenSsl.BIO_new(OpenSsl.BIO_s_mem());
        _output = OpenSsl.BIO_new(OpenSsl.BIO_s_mem());
        var ssl = OpenSsl.SSL_new(context.DangerousGetHandle());
        if (_input == 0 || _output == 0 || ssl == 0)
        {
            if (ssl != 0)
            {
                OpenSsl.SSL_free(ssl);
            }

            throw new AuthenticationException("OpenSSL could not create a connection: " + OpenSsl.TakeError("out of memory"));
        }

        OpenSsl.SSL_set_bio(ssl, _input, _output);
        _ssl = ssl;
        OpenSsl.SSL_set_connect_state(ssl);
        if (context.Verify)
        {
            // The certificate must name the address probed (an IP subject alternative name).
            var text = Encoding.ASCII.GetBytes(address.ToString() + "\0");
            fixed (byte* ip = text)
            {
                OpenSsl.X509_VERIFY_PARAM_set1_ip_asc(OpenSsl.SSL_get0_param(ssl), ip);
            }
        }
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var error = HandshakeStep();
            string? failure = error is OpenSsl.SSL_ERROR_NONE or OpenSsl.SSL_ERROR_WANT_READ or OpenSsl.SSL_ERROR_WANT_WRITE ? null : HandshakeFailure();
            // Whatever OpenSSL wrote (a ClientHello, a Finished, an alert) goes out first.
            await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                throw new AuthenticationException(failure);
            }

            if (error == OpenSsl.SSL_ERROR_NONE)
            {
                return;
            }

            if (error == OpenSsl.SSL_ERROR_WANT_READ && !await FillInputAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("the server closed the connection during the TLS handshake");
            }
        }
    }

    private unsafe int HandshakeStep()
    {
        OpenSsl.ERR_clear_error();
        var result = OpenSsl.SSL_do_handshake(_ssl);
        return result == 1 ? OpenSsl.SSL_ERROR_NONE : OpenSsl.SSL_get_error(_ssl, result);
    }

    private unsafe string HandshakeFailure()
    {
        var verify = OpenSsl.SSL_get_verify_result(_ssl);
        var reason = OpenSsl.TakeError("the handshake failed");
        if (verify != 0)
        {
            var text = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(OpenSsl.X509_verify_cert_error_string(verify));
            return reason + " (" + text + ")";
        }

        return reason;
    }

    private unsafe int TlsWrite(ReadOnlySpan<byte> data)
    {
        OpenSsl.ERR_clear_error();
        fixed (byte* pointer = data)
        {
            var written = OpenSsl.SSL_write(_ssl, pointer, data.Length);
            if (written > 0)
            {
                return written;
            }

            // With memory BIOs a write cannot block; any failure is fatal.
            throw new IOException("TLS error: " + OpenSsl.TakeError("the write failed"));
        }
    }

    private unsafe (int Read, int Error) TlsRead(Span<byte> buffer)
    {
        OpenSsl.ERR_clear_error();
        fixed (byte* pointer = buffer)
        {
            var read = OpenSsl.SSL_read(_ssl, pointer, buffer.Length);
            return read > 0 ? (read, OpenSsl.SSL_ERROR_NONE) : (0, OpenSsl.SSL_get_error(_ssl, read));
        }
    }

    private static unsafe int BioRead(nint bio, Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            return OpenSsl.BIO_read(bio, pointer, buffer.Length);
        }
    }

    private static unsafe int BioWrite(nint bio, ReadOnlySpan<byte> data)
    {
        fixed (byte* pointer = data)
        {
            return OpenSsl.BIO_write(bio, pointer, data.Length);
        }
    }

    private static unsafe long Pending(nint bio) => OpenSsl.BIO_ctrl(bio, OpenSsl.BIO_CTRL_PENDING, 0, 0);

    /// <summary>Sends whatever OpenSSL has written to the output BIO.</summary>
    private async ValueTask FlushOutputAsync(CancellationToken cancellationToken)
    {
        if (Pending(_output) <= 0)
        {
            return;
        }

        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                var length = BioRead(_output, chunk);
                if (length <= 0)
                {
                    return;
                }

                var pending = chunk.AsMemory(0, length);
                while (!pending.IsEmpty)
                {
                    var sent = await _socket.SendAsync(pending, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    pending = pending[sent..];
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Receives from the socket into the input BIO; false at the end of the stream.</summary>
    private async ValueTask<bool> FillInputAsync(CancellationToken cancellationToken)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var received = await _socket.ReceiveAsync(chunk.AsMemory(0, ChunkSize), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                return false;
            }

            if (BioWrite(_input, chunk.AsSpan(0, received)) != received)
            {
                throw new IOException("TLS error: the input buffer refused data");
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
