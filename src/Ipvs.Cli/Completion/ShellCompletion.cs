using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Ipvs.Cli.Common;

namespace Ipvs.Cli.Completion;

/// <summary>
/// <c>ipvs completion bash|zsh</c> prints a script that asks the binary itself for completions
/// (<c>ipvs __complete POSITION LINE</c>), so completion always matches the command tree:
/// commands, aliases, options and option values (schedulers, forwarding methods, formats).
/// </summary>
internal static class ShellCompletion
{
    public const string Bash = """
        # bash completion for ipvs; load with: source <(ipvs completion bash)
        _ipvs_complete() {
            local line="${COMP_LINE:0:COMP_POINT}"
            # Drop the program name: the binary completes the words after it.
            line="${line#"${COMP_WORDS[0]}"}"
            line="${line#"${line%%[![:space:]]*}"}"
            local IFS=$'\n'
            local candidates
            candidates=$("${COMP_WORDS[0]}" __complete "${#line}" "$line" 2>/dev/null) || return 0
            COMPREPLY=($(compgen -W "$candidates" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _ipvs_complete ipvs

        """;

    public const string Zsh = """
        #compdef ipvs
        # zsh completion for ipvs; load with: source <(ipvs completion zsh), or save as _ipvs in $fpath
        _ipvs() {
            local line="${(j: :)${(@)words[2,CURRENT]}}"
            local -a candidates
            candidates=("${(@f)$("${words[1]}" __complete "${#line}" "$line" 2>/dev/null)}")
            candidates=("${(@)candidates:#}")
            (( ${#candidates} )) && compadd -- "${candidates[@]}"
        }
        if [[ "${funcstack[1]}" == "_ipvs" ]]; then
            _ipvs "$@"
        else
            compdef _ipvs ipvs
        fi

        """;

    public static CliCommand Build(CliContext context)
    {
        var command = new CliCommand("completion", "Print the shell completion script for bash or zsh");
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        command.Arguments.Add(shell);
        command.SetAction(parseResult =>
        {
            context.Console.Out.Write(parseResult.GetValue(shell) == "zsh" ? Zsh : Bash);
            return 0;
        });
        return command
            .WithNotes("bash: add 'source <(ipvs completion bash)' to ~/.bashrc. zsh: add 'source <(ipvs completion zsh)' to ~/.zshrc after compinit.")
            .WithExamples("completion bash > /etc/bash_completion.d/ipvs", "completion zsh > \"${fpath[1]}/_ipvs\"");
    }

    /// <summary>Prints the completions of <c>LINE</c> at <c>POSITION</c>, one per line (the scripts' back end).</summary>
    public static int Complete(Command root, string[] args, TextWriter output)
    {
        if (args.Length != 2 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            return 2;
        }

        var line = args[1];
        position = Math.Clamp(position, 0, line.Length);
        // Complete after the words before the cursor's word: the shell filters by the partial word
        // itself, and a partial word that happens to be an alias ("l") would otherwise be taken as
        // the finished command.
        var words = CommandLineParser.SplitCommandLine(line[..position]).ToList();
        if (position > 0 && !char.IsWhiteSpace(line[position - 1]) && words.Count > 0)
        {
            words.RemoveAt(words.Count - 1);
        }

        var prefix = string.Concat(AliasResolver.Canonicalize(root, words).Select(w => (w.Contains(' ', StringComparison.Ordinal) ? "\"" + w + "\"" : w) + " "));
        var parseResult = root.Parse(prefix);
        foreach (var label in parseResult.GetCompletions(prefix.Length).Select(c => c.Label).Where(l => !l.StartsWith("__", StringComparison.Ordinal)).Distinct())
        {
            output.WriteLine(label);
        }

        return 0;
    }
}
