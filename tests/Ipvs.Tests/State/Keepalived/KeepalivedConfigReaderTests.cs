using Ipvs.State.Keepalived;

namespace Ipvs.Tests.State.Keepalived;

public sealed class KeepalivedConfigReaderTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static KeepalivedConfig Parse(string text)
    {
        var result = KeepalivedConfigReader.Parse(text, "/etc/keepalived/keepalived.conf");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Config!;
    }

    private static List<string> Errors(string text)
    {
        var result = KeepalivedConfigReader.Parse(text, "k.conf");
        Assert.False(result.Succeeded);
        Assert.Null(result.Config);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Words_Blocks_AndTheirPositions()
    {
        var config = Parse("virtual_server 198.18.0.1 80 {\n\tlvs_sched   rr\n  real_server 198.18.1.2 80 {\n    weight 3\n  }\n}\n");
        var vs = Assert.Single(config.Statements);
        Assert.Equal("virtual_server", vs.Keyword);
        Assert.Equal(["198.18.0.1", "80"], vs.Arguments.Select(a => a.Value));
        Assert.Equal((1, 1), (vs.Location.Line, vs.Location.Column));
        Assert.Equal((1, 16), (vs.Arguments[0].Location.Line, vs.Arguments[0].Location.Column));
        Assert.Equal("/etc/keepalived/keepalived.conf", vs.Location.File);
        Assert.Equal(2, vs.Block!.Count);
        Assert.Equal((2, 2), (vs.Block[0].Location.Line, vs.Block[0].Location.Column));
        Assert.Equal((2, 14), (vs.Block[0].Arguments[0].Location.Line, vs.Block[0].Arguments[0].Location.Column));
        var rs = vs.Block[1];
        Assert.Equal("weight", Assert.Single(rs.Block!).Keyword);
        Assert.Equal(6, vs.BlockEnd!.Value.Line);
        Assert.Null(vs.Block[0].Block);
    }

    [Fact]
    public void Braces_OnTheNextLine_OrAllOnOneLine_AsKeepalived()
    {
        var config = Parse("virtual_server 198.18.0.1 80\n{\n real_server 198.18.1.2 80 { weight 2 } real_server 198.18.1.3 80\n {\n  TCP_CHECK { connect_port 81 }\n }\n}");
        var vs = Assert.Single(config.Statements);
        Assert.Equal(2, vs.Block!.Count);
        Assert.Equal("2", vs.Block[0].Block![0].Arguments[0].Value);
        Assert.Equal((3, 41), (vs.Block[1].Location.Line, vs.Block[1].Location.Column));
        Assert.Equal("81", vs.Block[1].Block![0].Block![0].Arguments[0].Value);
    }

    [Fact]
    public void Comments_HashAndBang_NotInsideDoubleQuotes_EscapedAreCharacters()
    {
        var config = Parse("""
            ! a comment
            global_defs {   # another
              router_id "lb#1 !x" ! trailing
              smtp_helo_name a\#b
              notification_email_from 'x#y'
            }
            """);
        var global = config.Statements[0].Block!;
        Assert.Equal("lb#1 !x", global[0].Arguments[0].Value);
        Assert.Single(global[0].Arguments);
        Assert.Equal("a#b", global[1].Arguments[0].Value);

        // keepalived's comments ignore single quotes: the '#' inside them starts a comment.
        Assert.Equal("'x", global[2].Arguments[0].Value);
    }

    [Fact]
    public void DoubleQuotes_GroupBlanks_AndSplitAdjacentWords()
    {
        var statement = Parse("global_defs {\n router_id \"a b\"c d\"e f\"\n}").Statements[0].Block![0];
        Assert.Equal(["a b", "c", "d", "e f"], statement.Arguments.Select(a => a.Value));
        Assert.Equal("router_id \"a b\"c d\"e f\"", statement.Text);
    }

    [Fact]
    public void Scripts_SplitAsKeepalivedExecsThem()
    {
        var config = Parse("""
            virtual_server 198.18.0.1 80 {
              real_server 198.18.1.2 80 {
                notify_up "/usr/bin/notify 'rs up' \x41\101 \"q\"" nobody nogroup
                notify_down /usr/bin/down
                MISC_CHECK {
                  misc_path "/bin/check --name 'a b' c\ d"
                }
              }
            }
            """);
        var rs = config.Statements[0].Block![0].Block!;
        Assert.True(KeepalivedScript.TryParse(rs[0], out var up, out var error), error);
        Assert.Equal(["/usr/bin/notify", "rs up", "AA", "q"], up.Arguments);
        Assert.Equal(("nobody", "nogroup"), (up.User, up.Group));
        Assert.True(KeepalivedScript.TryParse(rs[1], out var down, out _));
        Assert.Equal(["/usr/bin/down"], down.Arguments);
        Assert.Null(down.User);

        // The escape is consumed by the first split, so "c\ d" gives two arguments, as in keepalived.
        Assert.True(KeepalivedScript.TryParse(rs[2].Block![0], out var misc, out _));
        Assert.Equal(["/bin/check", "--name", "a b", "c", "d"], misc.Arguments);
    }

    [Fact]
    public void ScriptSplit_Errors()
    {
        Assert.False(KeepalivedScript.TrySplit("/bin/x 'open", out _, out var error));
        Assert.Contains("missing the closing '", error);
        Assert.False(KeepalivedScript.TrySplit("/bin/x \\", out _, out error));
        Assert.Contains("backslash", error);
        Assert.True(KeepalivedScript.TrySplit("a\\tb \\cA \\E", out var words, out _));
        Assert.Equal(["a\tb", "\u0001", "\u001b"], words);
    }

    [Fact]
    public void Include_RelativeToTheIncludingFile_GlobSorted_Braces()
    {
        var main = _tree.Write("etc/keepalived.conf", "include conf.d/*.conf\ninclude extra/{b,a}.conf\nvirtual_server 198.18.0.9 80 {\n}\n");
        _tree.Write("etc/conf.d/20-second.conf", "virtual_server 198.18.0.2 80 {\n}\n");
        _tree.Write("etc/conf.d/10-first.conf", "virtual_server 198.18.0.1 80 {\n  include ../rs/*.inc\n}\n");
        _tree.Write("etc/conf.d/ignored.txt", "nonsense\n");
        _tree.Write("etc/rs/one.inc", "real_server 198.18.1.2 80 {\n}\n");
        _tree.Write("etc/extra/a.conf", "virtual_server 198.18.0.3 80 {\n}\n");
        _tree.Write("etc/extra/b.conf", "virtual_server 198.18.0.4 80 {\n}\n");
        var result = KeepalivedConfigReader.Read(main);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal(["198.18.0.1", "198.18.0.2", "198.18.0.4", "198.18.0.3", "198.18.0.9"], config.Statements.Select(s => s.Arguments[0].Value));
        var included = config.Statements[0].Block![0];
        Assert.Equal("real_server", included.Keyword);
        Assert.Equal(Path.Combine(_tree.Root, "etc/rs/one.inc"), included.Location.File);
        Assert.Equal(1, included.Location.Line);
        Assert.Equal(6, config.Files.Count);
    }

    [Fact]
    public void Include_Missing_NoMatch_Loop_Directory_Executable_AreErrorsAtTheInclude()
    {
        var main = _tree.Write("k.conf", "include missing.conf\ninclude none/*.conf\ninclude loop.conf\ninclude dir\ninclude run.sh\ninclude \"q.conf\"\n");
        _tree.Write("loop.conf", "\n  include k.conf\n");
        Directory.CreateDirectory(Path.Combine(_tree.Root, "dir"));
        var script = _tree.Write("run.sh", "global_defs {\n}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var result = KeepalivedConfigReader.Read(main);
        Assert.Null(result.Config);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(6, errors.Count);
        Assert.StartsWith(main + ":1:1: include missing.conf: " + Path.Combine(_tree.Root, "missing.conf") + " does not exist", errors[0]);
        Assert.StartsWith(main + ":2:1: include none/*.conf: no file matches", errors[1]);
        Assert.StartsWith(Path.Combine(_tree.Root, "loop.conf") + ":2:3: include loop: " + main + " -> " + Path.Combine(_tree.Root, "loop.conf") + " -> " + main, errors[2]);
        Assert.StartsWith(main + ":4:1: include dir:", errors[3]);
        Assert.Contains("is a directory", errors[3]);
        Assert.StartsWith(main + ":5:1: include run.sh:", errors[4]);
        Assert.Contains("executable", errors[4]);
        Assert.StartsWith(main + ":6:1: include \"q.conf\": keepalived takes the pattern as written", errors[5]);
    }

    [Fact]
    public void MissingMainFile_IsAnError()
    {
        var result = KeepalivedConfigReader.Read(Path.Combine(_tree.Root, "nope.conf"));
        Assert.False(result.Succeeded);
        Assert.StartsWith(Path.Combine(_tree.Root, "nope.conf") + ": cannot read the file", Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData("virtual_server 1.2.3.4 80 {\n}\n}\n", "k.conf:3:1: extra '}'")]
    [InlineData("global_defs {\n  router_id x\n", "k.conf:1:13: missing '}': the block of 'global_defs' opened here")]
    [InlineData("global_defs {\n}\n{\n}\n", "k.conf:3:1: '{' without a keyword before it")]
    [InlineData("virtual_server 1.2.3.4 80 {\n  real_server 1.2.3.5 80\n  weight 1\n}\n", "k.conf:2:3: 'real_server' needs a block")]
    [InlineData("virtual_server 1.2.3.4 80 {\n  lvs_shced rr\n}\n", "k.conf:2:3: unknown keyword 'lvs_shced' in virtual_server (did you mean 'lvs_sched'?)")]
    [InlineData("virtual_server 1.2.3.4 80 {\n  real_server 1.2.3.5 80 {\n    HTTP_GET {\n      url {\n        pth /\n      }\n    }\n  }\n}\n", "k.conf:5:9: unknown keyword 'pth' in url (did you mean 'path'?)")]
    [InlineData("virtual_server 1.2.3.4 80 {\n  delay_loop 3 {\n  }\n}\n", "k.conf:2:3: 'delay_loop' takes no block")]
    [InlineData("vrrp_instance VI_1 {\n  priorty 100\n}\n", "k.conf:2:3: unknown keyword 'priorty' in vrrp_instance (did you mean 'priority'?)")]
    [InlineData("frobnicate 1\n", "k.conf:1:1: unknown keyword 'frobnicate' in the top level")]
    [InlineData("global_defs {\n  router_id \"open\n}\n", "k.conf:2:13: a double quote is not closed on its line")]
    [InlineData("$LINES=a \\\n", "k.conf:1:1: multi-line keepalived definitions")]
    [InlineData("global_defs {\n  router_id $_RANDOM\n}\n", "k.conf:2:13: keepalived's built-in $_RANDOM is not supported")]
    [InlineData("  @lb1 global_defs {\n}\n", "k.conf:1:3: conditional configuration ('@ID …' lines")]
    [InlineData("~SEQ(i, 1, 3)\n", "k.conf:1:1: keepalived's ~SEQ is not supported")]
    [InlineData("global_defs {\n  router_id a \\\n}\n", "k.conf:2:15: a '\\' at the end of a line")]
    public void SyntaxErrors_WithTheirPosition(string text, string expected)
    {
        var errors = Errors(text);
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Definitions_AreReplaced_AsKeepalivedDoes()
    {
        var config = Parse("""
            $VIP=198.18.0.1
            $PORT = 80
            $CHECK=TCP_CHECK { connect_timeout 3 }
            virtual_server $VIP ${PORT} {
              real_server 198.18.1.2 $PORT {
                $CHECK
              }
              virtualhost a$VIPb,$VIP
            }
            """);
        var vs = Assert.Single(config.Statements);
        Assert.Equal(["198.18.0.1", "80"], vs.Arguments.Select(a => a.Value));
        Assert.Equal((4, 16), (vs.Arguments[0].Location.Line, vs.Arguments[0].Location.Column));
        var rs = vs.Block![0];
        Assert.Equal("80", rs.Arguments[1].Value);
        Assert.Equal("TCP_CHECK", rs.Block![0].Keyword);
        Assert.Equal("3", rs.Block[0].Block![0].Arguments[0].Value);

        // "$VIPb" names no definition and stays; "$VIP," is replaced.
        Assert.Equal("a$VIPb,198.18.0.1", vs.Block[1].Arguments[0].Value);
    }

    [Fact]
    public void EveryError_IsReported_NotOnlyTheFirst()
    {
        var errors = Errors("virtual_server 1.2.3.4 80 {\n  lvs_shced rr\n  real_server 1.2.3.5 80 {\n    wieght 2\n  }\n}\nfrobnicate\n");
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void BlocksWeDoNotRead_AreNotChecked_ValueBlocksNeither()
    {
        var config = Parse("""
            vrrp_script chk { script "/bin/true"; interval 2; anything goes
            }
            virtual_server_group G { 198.18.0.1-3 80
              fwmark 7
            }
            vrrp_instance V { virtual_ipaddress { 198.18.0.100/24 dev eth0 } }
            """);
        Assert.Equal(3, config.Statements.Count);
        Assert.Equal(["198.18.0.1-3", "80"], config.Statements[1].Block![0].Words.Select(w => w.Value));
        Assert.Equal("198.18.0.100/24", config.Statements[2].Block![0].Block![0].Keyword);
    }

    [Fact]
    public void Glob_Matching()
    {
        Assert.True(KeepalivedGlob.FnMatch("*.conf", 0, "a.conf", 0));
        Assert.False(KeepalivedGlob.FnMatch("*.conf", 0, "a.conf.bak", 0));
        Assert.True(KeepalivedGlob.FnMatch("[0-9]?-x[!a]", 0, "12-xb", 0));
        Assert.False(KeepalivedGlob.FnMatch("[0-9]?-x[!a]", 0, "12-xa", 0));
        Assert.Equal(["a/x1.conf", "a/y1.conf", "a/x2.conf"], KeepalivedGlob.Braces("a/{x,y}1.conf").Concat(KeepalivedGlob.Braces("a/{x2}.conf")));
    }
}
