package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// portOptions are the flags of `berth port`.
type portOptions struct {
	*globalOptions
	protocol string
	index    int
}

func newPortCommand(g *globalOptions) *cobra.Command {
	o := &portOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "port [OPTIONS] SERVICE PRIVATE_PORT",
		Short: "Print the public address of a port a service's container publishes",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageError("port takes SERVICE and PRIVATE_PORT (got %d arguments); run 'berth port --help' for usage", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.index, err = indexFlag(cmd, o.index); err != nil {
				return err
			}
			return runPort(cmd.Context(), cmd.OutOrStdout(), o, args[0], args[1])
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return g.completeServices(cmd, args, toComplete)
		},
	}
	c.Flags().StringVar(&o.protocol, "protocol", "tcp", "tcp or udp")
	c.Flags().IntVar(&o.index, "index", 0, "Number of the container if the service has several (default: the first)")
	return c
}

func runPort(ctx context.Context, stdout io.Writer, o *portOptions, service, private string) error {
	port, err := strconv.ParseUint(private, 10, 16)
	if err != nil || port == 0 {
		return usageError("invalid PRIVATE_PORT %q: use a port number from 1 to 65535", private)
	}
	protocol := strings.ToLower(o.protocol)
	if protocol != "tcp" && protocol != "udp" && protocol != "sctp" {
		return usageError("invalid --protocol %q: use tcp or udp", o.protocol)
	}
	_, name, err := o.projectOrName(ctx, []string{service})
	if err != nil {
		return err
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := c.Containers(ctx, engine.ContainerQuery{Project: name, OneOff: o.index == 0})
	if err != nil {
		return err
	}
	var cs []engine.ContainerInfo
	for _, ci := range list { // sorted: by number, one-off containers last
		if ci.Service == service {
			cs = append(cs, ci)
		}
	}
	chosen, err := engine.ChooseContainers(cs, engine.ContainerChoice{Service: service, Index: o.index, Running: true})
	if err != nil {
		return err
	}
	ctr := chosen[0]
	var ports []string
	for _, pt := range ctr.Ports {
		if pt.TargetPort == uint16(port) && pt.Protocol == protocol && pt.PublishedPort != 0 {
			fmt.Fprintf(stdout, "%s:%d\n", pt.URL, pt.PublishedPort)
			return nil
		}
		ports = append(ports, fmt.Sprintf("%d/%s", pt.TargetPort, pt.Protocol))
	}
	if len(ports) == 0 {
		return fmt.Errorf("no port %d/%s for container %s: it publishes no port", port, protocol, ctr.Name)
	}
	return fmt.Errorf("no port %d/%s for container %s: %s", port, protocol, ctr.Name, strings.Join(ports, ", "))
}
