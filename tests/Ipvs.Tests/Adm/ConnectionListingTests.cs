using System.Text;
using Ipvs.Cli.Adm;

namespace Ipvs.Tests.Adm;

/// <summary><c>-L -c</c> from /proc/net/ip_vs_conn contents, as print_conn reads and prints them.</summary>
public sealed class ConnectionListingTests
{
    private const string Header = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";

    [Fact]
    public void List_Ipv4AndIpv6_PrintsIpvsadmColumns()
    {
        var table = Header
            + "TCP C6120001 B278 C6120001 0050 C612090A 1F90 SYN_RECV         57\n"
            + "UDP C6120001 0000 C6120001 0035 C612090B 0035 NONE            398\n"
            + "TCP 2001:0db8:0000:0000:0000:0000:0000:0001 DDF0 2001:0db8:0000:0000:0000:0000:0000:0001 01BB 2001:0db8:0009:0000:0000:0000:0000:0010 01BB SYN_RECV         58\n";
        var (output, status) = List(table, AdmFormat.Numeric);
        Assert.Equal(0, status);
        Assert.Equal(
            "IPVS connection entries\n"
            + "pro expire state       source             virtual            destination\n"
            + "TCP 00:57  SYN_RECV    198.18.0.1:45688   198.18.0.1:80      198.18.9.10:8080\n"
            + "UDP 06:38  NONE        198.18.0.1:0       198.18.0.1:53      198.18.9.11:53\n"
            + "TCP 00:58  SYN_RECV    [2001:db8::1]:56816 [2001:db8::1]:443  [2001:db8:9::10]:443\n",
            output);
    }

    [Fact]
    public void List_PersistenceEngineData_PrintedWithPersistentConn()
    {
        var table = Header + "UDP C6120001 1234 C6120001 13C4 C612090C 13C4 UDP             170 sip abc123@host\n";
        var (output, _) = List(table, AdmFormat.Numeric | AdmFormat.PersistentConn);
        Assert.Equal(
            "IPVS connection entries\n"
            + "pro expire state       source             virtual            destination        pe name          pe_data\n"
            + "UDP 02:50  UDP         198.18.0.1:4660    198.18.0.1:5060    198.18.9.12:5060 sip                abc123@host\n",
            output);
    }

    [Fact]
    public void List_LineOfExactly255Bytes_StopsQuietlyWithStatus1()
    {
        // fgets hands print_conn the newline alone; sscanf finds nothing and print_conn exits.
        var line = "TCP C6120001 B278 C6120001 0050 C612090A 1F90 SYN_RECV         57 sip ";
        line += new string('d', 255 - line.Length);
        var (output, status) = List(Header + line + "\n", AdmFormat.Numeric);
        Assert.Equal(1, status);
        Assert.StartsWith("IPVS connection entries\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void List_EmptyFile_IsUnexpectedInput()
    {
        var (_, status) = List(string.Empty, AdmFormat.Numeric, out var error);
        Assert.Equal(1, status);
        Assert.Equal("unexpected input from ", error[..22]);
    }

    private static (string Output, int Status) List(string table, AdmFormat format) => List(table, format, out _);

    private static (string Output, int Status) List(string table, AdmFormat format, out string error)
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(table));
        using var file = TempDescriptor.Writing();
        var output = AdmOutput.ForDescriptor(file.Fd, unbuffered: false);
        var status = 0;
        error = string.Empty;
        try
        {
            new ConnectionListing(output).List(format, path);
        }
        catch (AdmStopException stop)
        {
            status = stop.ExitCode;
            error = stop.StandardError ?? string.Empty;
        }
        finally
        {
            File.Delete(path);
        }

        output.Flush();
        return (file.ReadAll(), status);
    }
}
