using System.Runtime.InteropServices;

namespace Ipvs.Health.Tls;

/// <summary>
/// The few OpenSSL entry points a TLS client over memory BIOs needs, bound at first use from the
/// system's libssl and libcrypto (3, else 1.1) — the libraries .NET itself uses on Linux.
/// </summary>
/// <remarks>
/// Bound through function pointers rather than [LibraryImport] so that the library names can be
/// chosen at run time without claiming the assembly's one DllImportResolver.
/// </remarks>
internal static unsafe class OpenSsl
{
    internal const int SSL_ERROR_NONE = 0;
    internal const int SSL_ERROR_SSL = 1;
    internal const int SSL_ERROR_WANT_READ = 2;
    internal const int SSL_ERROR_WANT_WRITE = 3;
    internal const int SSL_ERROR_SYSCALL = 5;
    internal const int SSL_ERROR_ZERO_RETURN = 6;

    internal const int SSL_VERIFY_NONE = 0;
    internal const int SSL_VERIFY_PEER = 1;

    internal const int SSL_CTRL_MODE = 33;
    internal const int SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
    internal const long SSL_MODE_RELEASE_BUFFERS = 0x10;
    internal const long SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
    internal const long TLS1_2_VERSION = 0x0303;
    internal const int BIO_CTRL_PENDING = 10;

    private static readonly Lazy<string?> s_loadError = new(Load);

#pragma warning disable CS0649 // assigned through pointers in Load
    internal static delegate* unmanaged<nint> TLS_client_method;
    internal static delegate* unmanaged<nint, nint> SSL_CTX_new;
    internal static delegate* unmanaged<nint, void> SSL_CTX_free;
    internal static delegate* unmanaged<nint, int, long, nint, long> SSL_CTX_ctrl;
    internal static delegate* unmanaged<nint, int, nint, void> SSL_CTX_set_verify;
    internal static delegate* unmanaged<nint, int> SSL_CTX_set_default_verify_paths;
    internal static delegate* unmanaged<nint, byte*, uint, int> SSL_CTX_set_alpn_protos;
    internal static delegate* unmanaged<nint, nint> SSL_new;
    internal static delegate* unmanaged<nint, void> SSL_free;
    internal static delegate* unmanaged<nint, void> SSL_set_connect_state;
    internal static delegate* unmanaged<nint, nint, nint, void> SSL_set_bio;
    internal static delegate* unmanaged<nint, int> SSL_do_handshake;
    internal static delegate* unmanaged<nint, byte*, int, int> SSL_read;
    internal static delegate* unmanaged<nint, byte*, int, int> SSL_write;
    internal static delegate* unmanaged<nint, int, int> SSL_get_error;
    internal static delegate* unmanaged<nint, long> SSL_get_verify_result;
    internal static delegate* unmanaged<nint, nint> SSL_get0_param;
    internal static delegate* unmanaged<nint, byte*, int> X509_VERIFY_PARAM_set1_ip_asc;
    internal static delegate* unmanaged<long, nint> X509_verify_cert_error_string;
    internal static delegate* unmanaged<nint> BIO_s_mem;
    internal static delegate* unmanaged<nint, nint> BIO_new;
    internal static delegate* unmanaged<nint, int> BIO_free;
    internal static delegate* unmanaged<nint, byte*, int, int> BIO_read;
    internal static delegate* unmanaged<nint, byte*, int, int> BIO_write;
    internal static delegate* unmanaged<nint, int, long, nint, long> BIO_ctrl;
    internal static delegate* unmanaged<ulong> ERR_get_error;
    internal static delegate* unmanaged<ulong, byte*, nuint, void> ERR_error_string_n;
    internal static delegate* unmanaged<void> ERR_clear_error;
#pragma warning restore CS0649

    /// <summary>Binds the libraries once; throws when they are missing.</summary>
    /// <exception cref="InvalidOperationException">No usable libssl on this system.</exception>
    public static void EnsureLoaded()
    {
        if (s_loadError.Value is { } error)
        {
            throw new InvalidOperationException(error);
        }
    }

    /// <summary>The oldest error of this thread's OpenSSL error queue, as text; the queue is cleared.</summary>
    public static string TakeError(string fallback)
    {
        var code = ERR_get_error();
        if (code == 0)
        {
            return fallback;
        }

        var buffer = stackalloc byte[256];
        ERR_error_string_n(code, buffer, 256);
        ERR_clear_error();
        var text = Marshal.PtrToStringUTF8((nint)buffer) ?? fallback;
        // "error:0A000086:SSL routines::certificate verify failed" → "certificate verify failed"
        var last = text.LastIndexOf(':');
        return last >= 0 && last + 1 < text.Length ? text[(last + 1)..] : text;
    }

    private static string? Load()
    {
        foreach (var (ssl, crypto) in new[] { ("libssl.so.3", "libcrypto.so.3"), ("libssl.so.1.1", "libcrypto.so.1.1"), ("libssl.so", "libcrypto.so") })
        {
            if (NativeLibrary.TryLoad(crypto, out var c) && NativeLibrary.TryLoad(ssl, out var s))
            {
                try
                {
                    Bind(s, c);
                    return null;
                }
                catch (EntryPointNotFoundException e)
                {
                    return $"{ssl} lacks {e.Message}: HTTPS probes need OpenSSL 1.1 or 3";
                }
            }
        }

        return "HTTPS probes need OpenSSL (libssl.so.3 or libssl.so.1.1), which was not found";
    }

    private static void Bind(nint ssl, nint crypto)
    {
        TLS_client_method = (delegate* unmanaged<nint>)NativeLibrary.GetExport(ssl, "TLS_client_method");
        SSL_CTX_new = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(ssl, "SSL_CTX_new");
        SSL_CTX_free = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(ssl, "SSL_CTX_free");
        SSL_CTX_ctrl = (delegate* unmanaged<nint, int, long, nint, long>)NativeLibrary.GetExport(ssl, "SSL_CTX_ctrl");
        SSL_CTX_set_verify = (delegate* unmanaged<nint, int, nint, void>)NativeLibrary.GetExport(ssl, "SSL_CTX_set_verify");
        SSL_CTX_set_default_verify_paths = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(ssl, "SSL_CTX_set_default_verify_paths");
        SSL_CTX_set_alpn_protos = (delegate* unmanaged<nint, byte*, uint, int>)NativeLibrary.GetExport(ssl, "SSL_CTX_set_alpn_protos");
        SSL_new = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(ssl, "SSL_new");
        SSL_free = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(ssl, "SSL_free");
        SSL_set_connect_state = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(ssl, "SSL_set_connect_state");
        SSL_set_bio = (delegate* unmanaged<nint, nint, nint, void>)NativeLibrary.GetExport(ssl, "SSL_set_bio");
        SSL_do_handshake = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(ssl, "SSL_do_handshake");
        SSL_read = (delegate* unmanaged<nint, byte*, int, int>)NativeLibrary.GetExport(ssl, "SSL_read");
        SSL_write = (delegate* unmanaged<nint, byte*, int, int>)NativeLibrary.GetExport(ssl, "SSL_write");
        SSL_get_error = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(ssl, "SSL_get_error");
        SSL_get_verify_result = (delegate* unmanaged<nint, long>)NativeLibrary.GetExport(ssl, "SSL_get_verify_result");
        SSL_get0_param = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(ssl, "SSL_get0_param");
        X509_VERIFY_PARAM_set1_ip_asc = (delegate* unmanaged<nint, byte*, int>)NativeLibrary.GetExport(crypto, "X509_VERIFY_PARAM_set1_ip_asc");
        X509_verify_cert_error_string = (delegate* unmanaged<long, nint>)NativeLibrary.GetExport(crypto, "X509_verify_cert_error_string");
        BIO_s_mem = (delegate* unmanaged<nint>)NativeLibrary.GetExport(crypto, "BIO_s_mem");
        BIO_new = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(crypto, "BIO_new");
        BIO_free = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(crypto, "BIO_free");
        BIO_read = (delegate* unmanaged<nint, byte*, int, int>)NativeLibrary.GetExport(crypto, "BIO_read");
        BIO_write = (delegate* unmanaged<nint, byte*, int, int>)NativeLibrary.GetExport(crypto, "BIO_write");
        BIO_ctrl = (delegate* unmanaged<nint, int, long, nint, long>)NativeLibrary.GetExport(crypto, "BIO_ctrl");
        ERR_get_error = (delegate* unmanaged<ulong>)NativeLibrary.GetExport(crypto, "ERR_get_error");
        ERR_error_string_n = (delegate* unmanaged<ulong, byte*, nuint, void>)NativeLibrary.GetExport(crypto, "ERR_error_string_n");
        ERR_clear_error = (delegate* unmanaged<void>)NativeLibrary.GetExport(crypto, "ERR_clear_error");
    }
}
