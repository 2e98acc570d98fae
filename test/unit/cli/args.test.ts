import { expect } from "chai";
import { CliError, commandHelp, numberOption, parse, type Command } from "../../../src/cli/args.js";

const command: Command = {
  summary: "a test command",
  usage: "rx-mconn t [options]",
  options: {
    seconds: { type: "string", arg: "N", help: "how long", default: "5" },
    name: { type: "string", arg: "NAME", help: "who", required: true },
    home: { type: "string", arg: "DIR", help: "where", defaultText: "$HOME" },
    loud: { type: "boolean", help: "shout" },
  },
  run: () => Promise.resolve(0),
};

describe("the CLI's option parsing", () => {
  it("applies the defaults that --help shows", () => {
    expect(parse(command, []).values).to.deep.equal({ seconds: "5" });
    expect(parse(command, ["--seconds", "7", "--loud"]).values).to.deep.equal({ seconds: "7", loud: true });
  });

  it("reads a negative number as the option's value, so the command can say what is wrong with it", () => {
    expect(parse(command, ["--seconds", "-1"]).values["seconds"]).to.equal("-1");
    expect(() => numberOption(parse(command, ["--seconds", "-1"]).values, "seconds")).to.throw(CliError, '--seconds must be a positive number, got "-1"');
    expect(() => numberOption({ seconds: "" }, "seconds")).to.throw(CliError, /positive number/);
  });

  it("a missing value or an unknown option is a one-line usage error (exit 2)", () => {
    const err = (argv: string[]) => {
      try {
        parse(command, argv);
      } catch (e) {
        return e as CliError;
      }
      throw new Error("parsed");
    };
    expect(err(["--name", "--loud"]).message).to.equal('--name needs a value (one starting with "-" is written --name=VALUE)');
    expect(err(["--nope"]).message).to.equal("Unknown option '--nope' (--help lists the options)");
    expect(err(["--nope"]).code).to.equal(2);
  });

  it("--help lists every option with its default, required, or off", () => {
    const help = commandHelp(command).split("\n");
    expect(help.slice(0, 5)).to.deep.equal(["a test command", "", "usage: rx-mconn t [options]", "", "options:"]);
    expect(help.slice(5).map((l) => l.replace(/\s+/g, " ").trim())).to.deep.equal([
      "--seconds N how long (default: 5)",
      "--name NAME who (required)",
      "--home DIR where (default: $HOME)",
      "--loud shout (off unless given)",
      "--help, -h this help",
      "--version, -v print the version",
    ]);
  });
});
